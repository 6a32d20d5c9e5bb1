package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.Optional;

/** The {@code ctl} section (patronictl's client settings); see {@link CtlConfig}. */
final class CtlSection {
  private CtlSection() {}

  static CtlConfig parse(Section root) {
    Problems problems = root.problems();
    int before = problems.errorCount();
    Optional<Section> section = root.section(CtlKeys.TABLE.prefix());
    if (section.isEmpty()) {
      return CtlConfig.none();
    }
    Section s = section.get();
    Optional<Path> certfile = s.path(CtlKeys.CERTFILE);
    Optional<Path> keyfile = s.path(CtlKeys.KEYFILE);
    Optional<String> password = s.secret(CtlKeys.KEYFILE_PASSWORD);
    Optional<Path> cacert = s.path(CtlKeys.CACERT);
    boolean insecure = s.boolOrDefault(CtlKeys.INSECURE);
    Optional<Credentials> authentication = RestApiSection.credentials(s, CtlKeys.AUTHENTICATION,
        CtlKeys.AUTH_USERNAME, CtlKeys.AUTH_PASSWORD);
    if (certfile.isEmpty() && keyfile.isPresent()) {
      problems.error(s.keyPath(CtlKeys.KEYFILE), "needs " + CtlKeys.CERTFILE.path() + " (the certificate whose key "
          + "it is)");
    }
    s.warnUnknown();
    if (problems.errorCount() > before) {
      return CtlConfig.none();
    }
    return new CtlConfig(certfile, keyfile, password, cacert, insecure, authentication);
  }
}
