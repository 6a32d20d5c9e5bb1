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
    Section s = root.section(BootstrapKeys.TABLE.prefix()).orElse(null);
    if (s == null) {
      if (problems.errorCount() > before) {
        return null;
      }
      DynamicConfig dcs = DynamicConfigParser.parse(null, BootstrapKeys.DCS.path(), problems);
      return new BootstrapConfig(dcs, Optional.empty(), Map.of(), List.of(), List.of(), Optional.empty());
    }
    DynamicConfig dcs = DynamicConfigParser.parse(s.value(BootstrapKeys.DCS), s.keyPath(BootstrapKeys.DCS),
        problems);

    Optional<String> method = s.string(BootstrapKeys.METHOD).map(String::trim)
        .filter(m -> !m.equals(BootstrapKeys.METHOD.defaultString()));
    Map<String, CustomMethod> methods = new LinkedHashMap<>();
    Optional<BackrestBootstrap> backrest = Optional.empty();
    boolean builtIn = !BackrestBootstrapSection.isCustom(s);
    if (method.isPresent() && method.get().equals(BackrestBootstrapSection.METHOD) && builtIn) {
      if (!root.keys().contains(NodeKeys.BACKREST.name())) {
        problems.error(s.keyPath(BootstrapKeys.METHOD), "is backrest, the built-in restore from the pgBackRest "
            + "repository, but this file has no backrest section (add one, or name a bootstrap.<method> with a "
            + "command)");
      }
      backrest = Optional.ofNullable(BackrestBootstrapSection.parse(s));
    } else if (method.isPresent()) {
      CustomMethod cm = CustomMethods.bootstrap(s, method.get());
      if (cm != null) {
        methods.put(method.get(), cm);
      }
    }
    List<String> initdb = CommandOptions.parse(s, BootstrapKeys.INITDB, CommandOptions.INITDB_RESERVED);
    List<String> pgHba = s.stringList(BootstrapKeys.PG_HBA);
    ConfigKey post = BootstrapKeys.POST_BOOTSTRAP;
    String olderName = post.aliases().get(0);
    if (s.has(post) && s.has(olderName)) {
      problems.warn(s.keyPath(olderName), "ignored because " + post.path() + " is also set");
    }
    Optional<String> postBootstrap = s.string(post);
    if (builtIn && backrest.isEmpty() && s.has(BootstrapKeys.BACKREST.name())) {
      BackrestBootstrapSection.parse(s); // checked even when another method is selected, so switching is safe
    }
    s.unsupported(BootstrapKeys.TABLE.keys(ConfigKey.Support.IGNORED));
    // Sections of other bootstrap methods, kept so that switching bootstrap.method needs no other edit.
    for (String key : s.unasked()) {
      Object v = s.peek(key);
      if (v instanceof Map && ((Map<?, ?>) v).containsKey(BootstrapKeys.METHOD_COMMAND.name())) {
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
    return new BootstrapConfig(dcs, method, methods, initdb, pgHba, postBootstrap, backrest);
  }
}
