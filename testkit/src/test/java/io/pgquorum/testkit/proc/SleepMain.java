package io.pgquorum.testkit.proc;

/** A Java program that announces itself and then sleeps: a stand-in daemon for {@link DaemonTest}. */
public final class SleepMain {
  private SleepMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.out.println("READY " + String.join(" ", args));
    System.out.flush();
    Thread.sleep(60_000);
  }
}
