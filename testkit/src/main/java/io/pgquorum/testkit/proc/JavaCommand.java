package io.pgquorum.testkit.proc;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a Java main class in a JVM of its own: this JVM's {@code java}, JVM options, a classpath
 * (this JVM's unless given) and the program's arguments. Drivers start members this way so that every start and
 * restart uses one command line, and so that the member runs the very classes the driver was built with.
 */
public final class JavaCommand {
  private final String mainClass;
  private final List<String> jvmOptions = new ArrayList<>();
  private final List<String> args = new ArrayList<>();
  private String java = currentJava();
  private String classPath = System.getProperty("java.class.path");

  private JavaCommand(String mainClass) {
    this.mainClass = mainClass;
  }

  public static JavaCommand of(String mainClass) {
    return new JavaCommand(mainClass);
  }

  public static JavaCommand of(Class<?> mainClass) {
    return of(mainClass.getName());
  }

  /** The {@code java} executable of this JVM. */
  public static String currentJava() {
    return ProcessHandle.current().info().command()
        .orElseThrow(() -> new IllegalStateException("cannot find this JVM's java executable"));
  }

  public JavaCommand java(String executable) {
    this.java = executable;
    return this;
  }

  public JavaCommand classPath(String classPath) {
    this.classPath = classPath;
    return this;
  }

  /** Appends JVM options (in order, before the main class). */
  public JavaCommand jvmOptions(List<String> options) {
    jvmOptions.addAll(options);
    return this;
  }

  public JavaCommand jvmOptions(String... options) {
    return jvmOptions(List.of(options));
  }

  /** Appends {@code -Dkey=value}. */
  public JavaCommand systemProperty(String key, String value) {
    jvmOptions.add("-D" + key + "=" + value);
    return this;
  }

  /** Appends program arguments (after the main class). */
  public JavaCommand args(List<String> arguments) {
    args.addAll(arguments);
    return this;
  }

  public JavaCommand args(String... arguments) {
    return args(List.of(arguments));
  }

  /** {@code java <jvm options> -cp <classpath> <main class> <args>}. */
  public List<String> toList() {
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(mainClass);
    cmd.addAll(args);
    return List.copyOf(cmd);
  }
}
