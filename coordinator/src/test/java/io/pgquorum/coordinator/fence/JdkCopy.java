package io.pgquorum.coordinator.fence;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/** A private copy of the running JDK, whose bin/java a test can replace the way a package upgrade does. */
public final class JdkCopy {
  private JdkCopy() {}

  /** bin/java, lib/ and conf/ of {@code from}: what the launcher and the JVM need (symbolic links kept as links). */
  public static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to.resolve("bin"));
    Files.copy(from.resolve("bin/java"), to.resolve("bin/java"), StandardCopyOption.COPY_ATTRIBUTES);
    for (String dir : new String[] {"lib", "conf"}) {
      Path src = from.resolve(dir);
      Files.walkFileTree(src, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
          Files.createDirectories(to.resolve(dir).resolve(src.relativize(d).toString()));
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
          Path target = to.resolve(dir).resolve(src.relativize(f).toString());
          if (Files.isSymbolicLink(f)) {
            Files.createSymbolicLink(target, Files.readSymbolicLink(f));
          } else if (!f.getFileName().toString().equals("src.zip")) {
            Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    }
  }

  /** What dpkg does to {@code jdk}/bin/java: write the new file next to it, rename it over the old one. */
  public static Path upgradeJava(Path jdk) throws IOException {
    Path java = jdk.resolve("bin/java");
    Path fresh = jdk.resolve("bin/java.dpkg-new");
    Files.copy(java, fresh, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.move(fresh, java, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return java;
  }
}
