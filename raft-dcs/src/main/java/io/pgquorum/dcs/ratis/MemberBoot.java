package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.api.DcsRejectedException;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.ratis.BootPlanner.GroupFacts;
import io.pgquorum.dcs.ratis.BootPlanner.JoinFacts;
import io.pgquorum.dcs.ratis.BootPlanner.JoinStep;
import io.pgquorum.dcs.ratis.BootPlanner.Probe;
import io.pgquorum.dcs.ratis.BootPlanner.Verdict;
import io.pgquorum.dcs.ratis.DataDirMarker.Phase;
import io.pgquorum.dcs.ratis.GroupProbe.Answer;
import io.pgquorum.dcs.ratis.RatisDcsClient.Configuration;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a member whose {@code raft.data_dir} holds no Raft log, without ever letting it vote with an empty log
 * after it has had one (see {@link BootPlanner} for why and for the rules). It runs while the member's Ratis
 * server is up without a division of the group: partners asking about the group get "no group" from it, and
 * nothing it does can be counted as a vote or an acknowledgement. It returns once the division exists.
 *
 * <p>Without {@code raft.join}:
 * <ul>
 *   <li>a majority (counting this member) answers that it has no log, and nobody has one: a new group; found it
 *       with the configured members;
 *   <li>a partner has a log: the group exists. Through a majority of the group without this member (a
 *       linearizable read), look at the configuration and at this member's registration
 *       ({@link Registrations}). Not a voter: refuse. Registered: it had a log and lost it: refuse. Not
 *       registered: a founding member that never ran; register it through the group (committed on a
 *       majority) and only then start it. A later wipe of this member is therefore always detected;
 *   <li>otherwise (partners silent, or no majority without us): wait, log why, ask again. Never start on a
 *       timeout: silence proves nothing.
 * </ul>
 *
 * <p>With {@code raft.join}: remove the stale configuration entry with our id (while no division of ours runs,
 * so the leader cannot mistake the new member for the old one), register, create an empty division, and ask the
 * leader to add it: Ratis copies the log to it before the configuration that gives it a vote is appended. Each
 * step needs a majority of the current configuration without this member.
 *
 * <p>The residual window (documented in the README): a founding member registers itself only once the new
 * group has a leader (see {@link Registrar}), a second or so after it started to vote. If its directory is
 * wiped inside that window, the next start takes it for a founding member that never ran. What it may have
 * acknowledged in that window is the group's first entries (the leader's configuration entries, other
 * members' registrations, the first cluster keys).
 */
final class MemberBoot {
  private static final Logger LOG = LoggerFactory.getLogger(MemberBoot.class);
  private static final Duration PAUSE = Duration.ofMillis(500);
  /** How often a member waiting for its partners checks whether one that refused connections now listens. */
  private static final Duration LISTEN_POLL = Duration.ofMillis(50);
  private static final Duration REPEAT_WAIT_LOG = Duration.ofSeconds(15);

  /** How the division came to be. */
  enum Outcome {
    /** A new group, founded with the configured members. */
    FOUNDER,
    /** A configured member that had never run joined the group that its partners founded. */
    LATE_FOUNDER,
    /** Added as a new member through a membership change (raft.join). */
    JOINED,
    /** An operator added it (pgctl dcs add) while it waited. */
    ADDED_BY_OPERATOR
  }

  /** The local Ratis server, as far as the boot needs it. */
  interface LocalServer {
    boolean hasDivision();

    /** Creates and starts this group's division with {@code group}'s peers (RECOVER: never formats a log). */
    void addDivision(RaftGroup group) throws IOException;
  }

  private final DcsServerConfig config;
  private final RaftGroupId groupId;
  private final LocalServer local;
  private String lastWait = "";
  private long lastWaitLogged;

  MemberBoot(DcsServerConfig config, RaftGroupId groupId, LocalServer local) {
    this.config = config;
    this.groupId = groupId;
    this.local = local;
  }

  /** Blocks until the division runs; throws DcsConfigException when the member must not start. */
  Outcome run() {
    return config.joining() ? join() : startWithoutJoin();
  }

  private Outcome startWithoutJoin() {
    if (config.partners().isEmpty()) {
      // A one-member group: there is nobody to ask, and nobody else who could hold a log.
      return found();
    }
    boolean cleared = DataDirMarker.phase(config.dataDir()) == Phase.CLEARED;
    while (true) {
      checkInterrupted();
      if (local.hasDivision()) {
        return addedByOperator();
      }
      // Fresh clients every round: a gRPC channel to a member that was down backs off for longer and longer
      // (up to minutes) before it tries again, which would hide a member that has come up.
      List<Answer> answers;
      try (GroupProbe probe = newProbe(config.partners())) {
        answers = probe.askAll(config.partners());
      }
      Probe next = BootPlanner.afterProbe(answers);
      if (next instanceof BootPlanner.Found) {
        return found();
      }
      if (next instanceof BootPlanner.WaitForPartners w) {
        waiting(w.reason());
        // Members of a new group are started together, within a second or two of each other: ask again as soon as
        // a partner that refused connections starts listening, not at the next full PAUSE (up to half a second
        // more on every node's start). Only a change of what it observed wakes it, so it asks no more often than
        // before when nothing changes.
        untilOneListens(refusing(answers), PAUSE);
        continue;
      }
      try (RatisDcsClient group = partnersClient()) {
        GroupFacts facts;
        Optional<KeyValue> registration;
        try {
          registration = group.get(Registrations.key(self().id()));
          Configuration conf = group.configuration();
          facts = new GroupFacts(conf.voters().stream().anyMatch(p -> p.id().equals(self().id())),
              registration.isPresent(), conf.voters());
        } catch (DcsException e) {
          waiting("the DCS group exists (members holding its log: " + holders(answers) + "), so member "
              + self().id() + " must find out from a majority of the group without it whether it ran before (to "
              + "tell a founding member that never ran from one that lost its log), and no majority answered: "
              + brief(e));
          pause();
          continue;
        }
        Verdict verdict = BootPlanner.verdict(facts, cleared);
        if (verdict instanceof BootPlanner.RefuseNotAMember r) {
          throw notAMember(r.voters());
        }
        if (verdict instanceof BootPlanner.RefuseAmnesia) {
          throw amnesia(registration.map(KeyValue::value).orElse(""));
        }
        // A founding member that never ran. CLEARED first: a crash after the registration below must not make
        // the next start mistake this (still unused) directory for one that lost its log.
        DataDirMarker.setPhase(config.dataDir(), Phase.CLEARED);
        cleared = true;
        try {
          group.put(Registrations.key(self().id()), Registrations.value(self(), "late-founder"));
        } catch (DcsException e) {
          waiting("could not register member " + self().id() + " with the DCS group before starting it: "
              + brief(e));
          pause();
          continue;
        }
        DataDirMarker.setPhase(config.dataDir(), Phase.VOTER);
        addDivision(RaftGroup.valueOf(groupId, facts.voters().stream().map(DcsServer::toPeer).toList()));
        LOG.info("DCS member {} joins the existing group '{}' as a founding member that had not run yet "
            + "(registered first, so a later loss of its log is detected)", self(), config.groupName());
        return Outcome.LATE_FOUNDER;
      }
    }
  }

  private Outcome found() {
    DataDirMarker.setPhase(config.dataDir(), Phase.VOTER);
    addDivision(RaftGroup.valueOf(groupId, config.initialMembers().stream().map(DcsServer::toPeer).toList()));
    if (!config.partners().isEmpty()) {
      LOG.info("DCS member {}: no member of group '{}' has a Raft log yet: founding it with {}", self(),
          config.groupName(), BootPlanner.ids(config.initialMembers()));
    }
    return Outcome.FOUNDER;
  }

  private Outcome addedByOperator() {
    DataDirMarker.setPhase(config.dataDir(), Phase.VOTER);
    LOG.info("DCS member {} was added to group '{}' from outside (pgctl dcs add)", self(), config.groupName());
    return Outcome.ADDED_BY_OPERATOR;
  }

  private Outcome join() {
    if (config.partners().isEmpty()) {
      while (!local.hasDivision()) {
        checkInterrupted();
        waiting("raft.join without raft.partner_addrs: waiting to be added by a member of the group: "
            + "pgctl dcs add " + self().id() + " " + self().address());
        pause();
      }
      return addedByOperator();
    }
    while (true) {
      checkInterrupted();
      // A fresh client every step (see startWithoutJoin: gRPC back-off towards members that were down).
      try (RatisDcsClient group = partnersClient()) {
        try {
          // The linearizable read proves that a majority answers and tells the client who leads, so that the
          // configuration read next comes from the leader.
          boolean registered = group.get(Registrations.key(self().id())).isPresent();
          Configuration conf = group.configuration();
          Optional<PeerAddress> entry = conf.find(self().id());
          Optional<Answer> entryAnswer = entry.filter(e -> !e.address().equals(self().address()))
              .map(this::probeOne);
          JoinStep step = BootPlanner.joinStep(new JoinFacts(local.hasDivision(), entry, self(), entryAnswer));
          if (step instanceof BootPlanner.Joined) {
            LOG.info("DCS member {} joined group '{}' as a new member (voters now {})", self(),
                config.groupName(), BootPlanner.ids(conf.voters()));
            return Outcome.JOINED;
          }
          if (step instanceof BootPlanner.RefuseDuplicate d) {
            throw new DcsConfigException("raft.join: member id '" + self().id() + "' is in the DCS group's "
                + "configuration at " + d.other().address() + ", and a member with the group's log answers there: "
                + "this would be a second member with the same id. Stop that member and remove it first "
                + "(pgctl dcs remove " + self().id() + "), or give this member another id (id@host:port in "
                + "raft.self_addr)");
          }
          if (step instanceof BootPlanner.RemoveStaleEntry s) {
            LOG.warn("DCS member {} joins group '{}': removing the configuration entry {} of the member it "
                + "replaces first", self(), config.groupName(), s.entry());
            List<PeerAddress> next = conf.voters().stream().filter(p -> !p.id().equals(self().id())).toList();
            group.setVoters(conf.voters(), next);
            continue;
          }
          if (!registered) {
            group.put(Registrations.key(self().id()), Registrations.value(self(), "joined"));
          }
          if (step instanceof BootPlanner.CreateDivision) {
            DataDirMarker.setPhase(config.dataDir(), Phase.VOTER);
            addDivision(RaftGroup.valueOf(groupId));
            continue;
          }
          // AddSelf: the leader copies its log to our division before the configuration with us is appended.
          LOG.info("DCS member {} asks group '{}' to add it (voters {})", self(), config.groupName(),
              BootPlanner.ids(conf.voters()));
          List<PeerAddress> next = new ArrayList<>(conf.voters());
          next.add(self());
          group.setVoters(conf.voters(), next);
        } catch (DcsRejectedException e) {
          // A concurrent change, or a stale view of the configuration: look again.
          LOG.info("DCS member {} joining: {}; reading the configuration again", self(), brief(e));
          pause();
        } catch (DcsConfigException e) {
          throw e;
        } catch (DcsException e) {
          waiting("raft.join: joining needs a majority of the DCS group's current configuration without this "
              + "member, and it did not answer: " + brief(e));
          pause();
        }
      }
    }
  }

  private void addDivision(RaftGroup group) {
    try {
      local.addDivision(group);
    } catch (IOException e) {
      if (!local.hasDivision()) {
        throw new DcsConfigException("DCS member " + self() + " could not create its Raft division: "
            + e.getMessage(), e);
      }
      // Created meanwhile from outside (pgctl dcs add): the division runs, which is all we need.
    }
  }

  private Answer probeOne(PeerAddress p) {
    try (GroupProbe probe = newProbe(List.of(p))) {
      return probe.ask(p);
    }
  }

  private GroupProbe newProbe(List<PeerAddress> peers) {
    return new GroupProbe(groupId, peers, config.tls(), probeTimeout());
  }

  private Duration probeTimeout() {
    Duration t = config.tuning().requestTimeout();
    return t.compareTo(Duration.ofSeconds(2)) < 0 ? t : Duration.ofSeconds(2);
  }

  /** A client of the group through the partners only: our own server has no division to answer with. */
  private RatisDcsClient partnersClient() {
    return RatisDcsClient.connect(DcsClientConfig.builder()
        .groupName(config.groupName())
        .members(config.partners())
        .localMember(config.partners().get(0))
        .tls(config.tls().orElse(null))
        .requestTimeout(probeTimeout())
        .build(), "dcs-boot-" + self().id());
  }

  private PeerAddress self() {
    return config.self();
  }

  private static String holders(List<Answer> answers) {
    return String.join(", ", answers.stream().filter(a -> a.state() == GroupProbe.PeerState.HAS_LOG)
        .map(a -> a.peer().toString()).toList());
  }

  /** The first line of a failure, bounded: Ratis' messages can carry whole request dumps. */
  static String brief(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    m = m.lines().findFirst().orElse(m);
    return m.length() > 300 ? m.substring(0, 300) + "..." : m;
  }

  private DcsConfigException amnesia(String registration) {
    return new DcsConfigException("raft.data_dir = '" + config.dataDir() + "' holds no Raft log, but DCS group '"
        + config.groupName() + "' records that member '" + self().id() + "' has had one (registration "
        + registration + "): this member lost its log (the directory was wiped or replaced, or is not the one it "
        + "used). It will not start as a voter with an empty log, because that can let the group elect a leader "
        + "that lacks committed entries. To bring it back as a new member, start it with raft.join: true "
        + "(bin/pgquorum --join FILE, or PATRONI_RAFT_JOIN=true): it removes its old entry from the group's "
        + "configuration, is added back and copies the log from the others (this needs a majority of the group "
        + "without it). If its old raft.data_dir still exists, point raft.data_dir at it instead. See "
        + "\"Replacing a DCS member\" in the README");
  }

  private DcsConfigException notAMember(List<PeerAddress> voters) {
    return new DcsConfigException("raft.data_dir = '" + config.dataDir() + "' holds no Raft log, and member '"
        + self().id() + "' is not in the configuration of DCS group '" + config.groupName() + "' (voters: "
        + BootPlanner.ids(voters) + "). A new or replaced member comes in through a membership change: start it "
        + "with raft.join: true (bin/pgquorum --join FILE, or PATRONI_RAFT_JOIN=true), or add it from a running "
        + "member with pgctl dcs add " + self().id() + " " + self().address());
  }

  /** Logs a wait when its reason changes, and again every {@link #REPEAT_WAIT_LOG} while it lasts. */
  private void waiting(String reason) {
    long now = System.nanoTime();
    if (!reason.equals(lastWait) || now - lastWaitLogged > REPEAT_WAIT_LOG.toNanos()) {
      LOG.warn("DCS member {} is not starting yet: {}", self(), reason);
      lastWait = reason;
      lastWaitLogged = now;
    }
  }

  /**
   * The partners in {@code answers} that gave no answer and at whose address nothing accepts connections now
   * (refused, or no answer within a poll). One that accepts connections but gave no answer (a TLS failure, an
   * overloaded member) is left out: watching it would wake at once, every round.
   */
  private static List<PeerAddress> refusing(List<Answer> answers) {
    return answers.stream().filter(a -> a.state() == GroupProbe.PeerState.UNREACHABLE)
        .map(Answer::peer).filter(p -> !listens(p, LISTEN_POLL)).toList();
  }

  /**
   * Waits until one of {@code refusing} accepts a TCP connection, or {@code atMost} passes; true when one does.
   * Polls every {@link #LISTEN_POLL}: a refused connection is answered at once by the partner's host, so each poll
   * is cheap. Without partners to watch (none refused: they are silent, or answered) this is a plain pause.
   */
  static boolean untilOneListens(List<PeerAddress> refusing, Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (true) {
      for (PeerAddress p : refusing) {
        if (listens(p, LISTEN_POLL)) {
          return true;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        // The poll interval while partners refuse, or the rest of the pause when none is watched.
        TimeUnit.NANOSECONDS.sleep(refusing.isEmpty() ? left : Math.min(left, LISTEN_POLL.toNanos()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DcsException("interrupted while starting the DCS member");
      }
    }
  }

  /** Whether something accepts TCP connections at {@code p}'s address (within {@code timeout}). */
  private static boolean listens(PeerAddress p, Duration timeout) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(p.host(), p.port()), (int) timeout.toMillis());
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(PAUSE.toMillis()); // between rounds of asking: a poll interval
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DcsException("interrupted while starting the DCS member");
    }
  }

  private static void checkInterrupted() {
    if (Thread.currentThread().isInterrupted()) {
      throw new DcsException("interrupted while starting the DCS member");
    }
  }
}
