package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.Optional;

/** The {@code ctl} section (patronictl's client settings); see {@link CtlConfig}. */
final class CtlSection {
  private CtlSection() {}

  static CtlConfig parse(Section root) {
    Problems problems = root.problems();
    int before = problems.errorCount();
    Optional<Section> section = root.section("ctl");
    if (section.isEmpty()) {
      return CtlConfig.none();
    }
    Section s = section.get();
    Optional<Path> certfile = s.path("certfile");
    Optional<Path> keyfile = s.path("keyfile");
    Optional<String> password = s.secret("keyfile_password");
    Optional<Path> cacert = s.path("cacert");
    boolean insecure = s.bool("insecure", false);
    Optional<Credentials> authentication = RestApiSection.credentials(s);
    if (certfile.isEmpty() && keyfile.isPresent()) {
      problems.error(s.keyPath("keyfile"), "needs ctl.certfile (the certificate whose key it is)");
    }
    s.warnUnknown();
    if (problems.errorCount() > before) {
      return CtlConfig.none();
    }
    return new CtlConfig(certfile, keyfile, password, cacert, insecure, authentication);
  }
}
