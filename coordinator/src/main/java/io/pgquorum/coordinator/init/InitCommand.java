package io.pgquorum.coordinator.init;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.ConfigLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code pgquorum init}: a secure cluster's files in one step. Writes the CA ({@code ca.crt}, {@code ca.key}) and,
 * per node, {@code <name>/pgquorum.yml}, {@code <name>/ca.crt}, {@code <name>/node.crt} (the node's certificate,
 * then the CA) and {@code <name>/node.key}; per witness the same with {@code <name>/witness.yml} instead of
 * {@code pgquorum.yml}. Nothing is overwritten: if any of these files exists, nothing is
 * written. Passwords go only into the configuration files (mode 0600), never to the output.
 */
public final class InitCommand {
  /** Generated passwords: 24 characters from 62, about 143 bits. */
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final int PASSWORD_LENGTH = 24;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

  private InitCommand() {}

  /** Runs {@code pgquorum init args...}; returns the exit code (0 written, 2 bad input or a file in the way). */
  public static int run(List<String> args, Prompter prompter, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.println(InitArgs.usage());
      return 0;
    }
    try {
      InitSpec spec = InitArgs.parse(args, prompter);
      List<Path> written = write(spec, Instant.now());
      out.println("pgquorum init: wrote " + written.size() + " files for cluster " + spec.scope() + ":");
      for (Path p : written) {
        out.println("  " + p);
      }
      out.println("Passwords (superuser postgres, replication replicator): "
          + (spec.superuserPassword().isPresent() ? "as given" : "generated") + " / "
          + (spec.replicationPassword().isPresent() ? "as given" : "generated")
          + "; they are only in the pgquorum.yml files (postgresql.authentication).");
      out.println("Next: copy " + spec.output() + "/<name>/ to each node at the same path (the configurations name "
          + "their files by absolute path), keep " + spec.output().resolve("ca.key")
          + " off the nodes, and start each node with: pgquorum " + spec.output() + "/<name>/pgquorum.yml"
          + (spec.witnesses().isEmpty() ? "" : "; each witness with: pgquorum witness " + spec.output()
              + "/<name>/witness.yml"));
      return 0;
    } catch (InitException e) {
      err.println("pgquorum init: " + e.getMessage());
      return 2;
    }
  }

  /** Writes every file of {@code spec}; returns them in the order written. */
  static List<Path> write(InitSpec spec, Instant now) {
    Path out = spec.output();
    Path caCertFile = out.resolve("ca.crt");
    Path caKeyFile = out.resolve("ca.key");
    Map<InitSpec.Member, NodeConfigYaml.NodeFiles> nodeFiles = new LinkedHashMap<>();
    for (InitSpec.Member m : spec.members()) {
      nodeFiles.put(m, NodeConfigYaml.NodeFiles.in(out.resolve(m.name())));
    }
    // Every file is checked before any is written, so a refusal leaves the directory as it was.
    List<Path> planned = new ArrayList<>(List.of(caCertFile, caKeyFile));
    Map<InitSpec.Witness, NodeConfigYaml.NodeFiles> witnessFiles = new LinkedHashMap<>();
    for (InitSpec.Witness w : spec.witnesses()) {
      witnessFiles.put(w, NodeConfigYaml.NodeFiles.witnessIn(out.resolve(w.name())));
    }
    nodeFiles.values().forEach(f -> planned.addAll(List.of(f.config(), f.caCert(), f.cert(), f.key())));
    witnessFiles.values().forEach(f -> planned.addAll(List.of(f.config(), f.caCert(), f.cert(), f.key())));
    for (Path p : planned) {
      if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw new InitException(p + " already exists; pgquorum init never overwrites a file (move it away or "
            + "choose another --output)");
      }
    }
    String superuser = spec.superuserPassword().orElseGet(InitCommand::password);
    String replication = spec.replicationPassword().orElseGet(InitCommand::password);

    ClusterPki pki = ClusterPki.create(spec.scope(), now);
    String caPem = ClusterPki.pem(List.of(pki.caCertificate()));
    List<Path> written = new ArrayList<>();
    directory(out);
    create(caCertFile, caPem, PUBLIC, written);
    create(caKeyFile, ClusterPki.pkcs8Pem(pki.caKey()), PRIVATE, written);
    for (var e : nodeFiles.entrySet()) {
      InitSpec.Member m = e.getKey();
      NodeConfigYaml.NodeFiles f = e.getValue();
      ClusterPki.Issued issued = pki.issue(spec.scope(), m.name(), m.host(), m.hostIsIp(), now);
      directory(f.dir());
      create(f.caCert(), caPem, PUBLIC, written);
      create(f.cert(), ClusterPki.pem(List.of(issued.certificate(), pki.caCertificate())), PUBLIC, written);
      create(f.key(), ClusterPki.pkcs8Pem(issued.key()), PRIVATE, written);
      create(f.config(), NodeConfigYaml.render(spec, m, f, superuser, replication), PRIVATE, written);
    }
    for (var e : witnessFiles.entrySet()) {
      InitSpec.Witness w = e.getKey();
      NodeConfigYaml.NodeFiles f = e.getValue();
      // The same certificate profile as a node's (serverAuth and clientAuth): Raft TLS is mutual.
      ClusterPki.Issued issued = pki.issue(spec.scope(), w.name(), w.host(), w.hostIsIp(), now);
      directory(f.dir());
      create(f.caCert(), caPem, PUBLIC, written);
      create(f.cert(), ClusterPki.pem(List.of(issued.certificate(), pki.caCertificate())), PUBLIC, written);
      create(f.key(), ClusterPki.pkcs8Pem(issued.key()), PRIVATE, written);
      create(f.config(), NodeConfigYaml.renderWitness(spec, w, f), PRIVATE, written);
    }
    // A generated file that its own daemon would reject is a bug here; say so now rather than at the first start.
    for (NodeConfigYaml.NodeFiles f : nodeFiles.values()) {
      try {
        ConfigLoader.load(f.config(), Map.of());
      } catch (ConfigException e) {
        throw new InitException("the generated " + f.config() + " does not validate (a bug in pgquorum init): "
            + String.join("; ", e.problems()));
      }
    }
    for (NodeConfigYaml.NodeFiles f : witnessFiles.values()) {
      try {
        ConfigLoader.loadWitness(f.config(), Map.of());
      } catch (ConfigException e) {
        throw new InitException("the generated " + f.config() + " does not validate (a bug in pgquorum init): "
            + String.join("; ", e.problems()));
      }
    }
    return written;
  }

  private static String password() {
    StringBuilder sb = new StringBuilder(PASSWORD_LENGTH);
    for (int i = 0; i < PASSWORD_LENGTH; i++) {
      sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }

  private static void directory(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir.getParent());
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
      }
    } catch (IOException e) {
      throw new InitException("cannot create directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Creates {@code file} with {@code permissions} from the start (never world-readable for a moment). */
  private static void create(Path file, String content, Set<PosixFilePermission> permissions, List<Path> written) {
    try (OutputStream o = Files.newOutputStream(Files.createFile(file,
        PosixFilePermissions.asFileAttribute(permissions)), StandardOpenOption.WRITE)) {
      o.write(content.getBytes(StandardCharsets.UTF_8));
      // createFile's mode is filtered by the umask; set it exactly (a umask of 077 would drop a certificate's r--).
      Files.setPosixFilePermissions(file, permissions);
    } catch (FileAlreadyExistsException e) {
      throw new InitException(file + " already exists; pgquorum init never overwrites a file");
    } catch (IOException e) {
      throw new InitException("cannot write " + file + ": " + e.getMessage(), e);
    }
    written.add(file);
  }
}
