package io.pgquorum.coordinator.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code bootstrap} section. */
final class BootstrapSection {
  private BootstrapSection() {}

  /** Null (after reporting) when the section is broken; defaults when it is absent. */
  static BootstrapConfig parse(Section root) {
    Problems problems = root.problems();
    int before = problems.errorCount();
    Section s = root.section("bootstrap").orElse(null);
    if (s == null) {
      if (problems.errorCount() > before) {
        return null;
      }
      DynamicConfig dcs = DynamicConfigParser.parse(null, "bootstrap.dcs", problems);
      return new BootstrapConfig(dcs, Optional.empty(), Map.of(), List.of(), List.of(), Optional.empty());
    }
    DynamicConfig dcs = DynamicConfigParser.parse(s.value("dcs"), s.keyPath("dcs"), problems);

    Optional<String> method = s.string("method").map(String::trim).filter(m -> !m.equals("initdb"));
    Map<String, CustomMethod> methods = new LinkedHashMap<>();
    if (method.isPresent()) {
      CustomMethod cm = CustomMethods.bootstrap(s, method.get());
      if (cm != null) {
        methods.put(method.get(), cm);
      }
    }
    List<String> initdb = CommandOptions.parse(s, "initdb", CommandOptions.INITDB_RESERVED);
    List<String> pgHba = s.stringList("pg_hba");
    Optional<String> postBootstrap = s.string("post_bootstrap");
    Optional<String> postInit = s.string("post_init");
    if (postBootstrap.isPresent() && postInit.isPresent()) {
      problems.warn(s.keyPath("post_init"), "ignored because bootstrap.post_bootstrap is also set");
    }
    s.unsupported("users", "Patroni removed it; create roles in the post_bootstrap script");
    // Sections of other bootstrap methods, kept so that switching bootstrap.method needs no other edit.
    for (String key : s.unasked()) {
      Object v = s.peek(key);
      if (v instanceof Map && ((Map<?, ?>) v).containsKey("command")) {
        CustomMethod cm = CustomMethods.bootstrap(s, key);
        if (cm != null) {
          methods.put(key, cm);
        }
      }
    }
    s.warnUnknown();
    if (problems.errorCount() > before || dcs == null) {
      return null;
    }
    return new BootstrapConfig(dcs, method, methods, initdb, pgHba, postBootstrap.or(() -> postInit));
  }
}
