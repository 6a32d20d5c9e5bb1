package io.pgquorum.coordinator.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code pgquorum init}'s command line: defaults, per-node ports, prompts, and one error naming the flag. */
class InitArgsTest {
  private static final List<String> THREE = List.of("--scope", "demo", "--node", "n1=10.0.0.1", "--node",
      "n2=10.0.0.2", "--node", "n3=db3.example.com", "--output", "/tmp/out");

  @Test
  void defaultsApplyAndPerNodePortsOverrideThem() {
    List<String> args = new ArrayList<>(THREE);
    args.set(7, "n3=db3.example.com,rest=9008,pg=6432,raft=3333");
    args.addAll(List.of("--raft-port", "4444"));
    InitSpec spec = InitArgs.parse(args, Prompter.NONE);
    assertThat(spec.scope()).isEqualTo("demo");
    assertThat(spec.members()).containsExactly(
        new InitSpec.Member("n1", "10.0.0.1", 8008, 4444, 5432),
        new InitSpec.Member("n2", "10.0.0.2", 8008, 4444, 5432),
        new InitSpec.Member("n3", "db3.example.com", 9008, 3333, 6432));
    assertThat(spec.output()).isEqualTo(Path.of("/tmp/out"));
    assertThat(spec.dataRoot()).isEqualTo(Path.of("/var/lib/pgquorum"));
    assertThat(spec.binDir()).isEqualTo("/usr/lib/postgresql/15/bin");
    assertThat(spec.superuserPassword()).isEmpty();
    assertThat(spec.members().get(0).hostIsIp()).isTrue();
    assertThat(spec.members().get(2).hostIsIp()).isFalse();
  }

  @Test
  void flagsAlsoTakeTheEqualsForm() {
    InitSpec spec = InitArgs.parse(List.of("--scope=demo", "--node=a=127.0.0.1,rest=1,raft=2,pg=3",
        "--node=b=127.0.0.1,rest=4,raft=5,pg=6", "--node=c=127.0.0.1,rest=7,raft=8,pg=9", "--output=rel/dir",
        "--superuser-password=s3cr'et"), Prompter.NONE);
    assertThat(spec.members()).hasSize(3);
    assertThat(spec.output().isAbsolute() && spec.output().endsWith(Path.of("rel/dir")))
        .as(spec.output().toString()).isTrue();
    assertThat(spec.superuserPassword()).contains("s3cr'et");
  }

  @Test
  void twoNodesAndAWitnessAreACluster() {
    InitSpec spec = InitArgs.parse(List.of("--scope", "demo", "--node", "n1=10.0.0.1", "--node", "n2=10.0.0.2",
        "--witness", "w=10.0.0.3,raft=3000", "--output", "/tmp/out"), Prompter.NONE);
    assertThat(spec.members()).extracting(InitSpec.Member::name).containsExactly("n1", "n2");
    assertThat(spec.witnesses()).containsExactly(new InitSpec.Witness("w", "10.0.0.3", 3000, 8008));
    assertThat(spec.raftAddresses()).containsExactly("10.0.0.1:2222", "10.0.0.2:2222", "10.0.0.3:3000");
    assertThat(InitArgs.parse(List.of("--scope", "demo", "--node", "n1=h1", "--node", "n2=h2", "--witness",
        "w=h3", "--output", "/tmp/out"), Prompter.NONE).witnesses().get(0).raftPort())
        .as("a witness's default Raft port is --raft-port's").isEqualTo(2222);
    assertThat(InitArgs.parse(List.of("--scope", "demo", "--rest-port", "9000", "--node", "n1=h1", "--node",
        "n2=h2", "--witness", "w=h3,rest=9100", "--witness", "v=h4", "--node", "n3=h5", "--output", "/tmp/out"),
        Prompter.NONE).witnesses()).extracting(InitSpec.Witness::restPort)
        .as("a witness's REST port: rest=PORT, else --rest-port's").containsExactly(9100, 9000);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "nodes and witnesses even | --node n1=h1 --node n2=h2 --node n3=h3 --witness w=h4 "
          + "| --witness: nodes and witnesses together must be an odd number, at least 3, with at least 2 nodes",
      "one node and two witnesses | --node n1=h1 --witness w1=h2 --witness w2=h3 | got 1 nodes and 2 witnesses",
      "a witness with a PostgreSQL port | --node n1=h1 --node n2=h2 --witness w=h3,pg=1 "
          + "| --witness w=h3,pg=1: a witness has a Raft and a REST port",
      "a witness's REST port on its Raft port | --node n1=h1 --node n2=h2 --witness w=h3,raft=9,rest=9 "
          + "| --witness: port 9 on h3 is used twice, by w (raft) and w (rest)",
      "a witness named like a node | --node n1=h1 --node n2=h2 --witness N1=h3 | --node: the name n1 is given twice",
      "a witness on a node's port | --node n1=h1 --node n2=h2 --witness w=h1,raft=8008,rest=9008 "
          + "| --node: port 8008 on h1 is used twice, by w (raft) and n1 (rest)",
      "a witness without a host | --node n1=h1 --node n2=h2 --witness w= | --witness w=: the host is missing",
      "even count | --node n1=10.0.0.1 --node n2=10.0.0.2 | --node: an odd number of nodes, at least 3",
      "one node | --node n1=10.0.0.1 | got 1",
      "duplicate name | --node n1=10.0.0.1 --node n2=10.0.0.2 --node N1=10.0.0.3 | --node: the name N1 is given twice",
      "same port twice on a host | --node n1=h1 --node n2=h1 --node n3=h3 "
          + "| --node: port 8008 on h1 is used twice, by n1 (rest) and n2 (rest)",
      "rest and raft port equal | --node n1=h1,raft=8008 --node n2=h2 --node n3=h3 "
          + "| --node: port 8008 on h1 is used twice, by n1 (rest) and n1 (raft)",
      "bad IPv4 | --node n1=10.0.0.256 --node n2=h2 --node n3=h3 | --node n1=10.0.0.256: \"10.0.0.256\" is not",
      "not a host | --node n1=ho_st --node n2=h2 --node n3=h3 | --node n1=ho_st: \"ho_st\" is neither a DNS name",
      "IPv6 | --node n1=::1 --node n2=h2 --node n3=h3 | IPv6 addresses are not supported",
      "wildcard | --node n1=0.0.0.0 --node n2=h2 --node n3=h3 | 0.0.0.0 is not an address",
      "no host | --node n1= --node n2=h2 --node n3=h3 | --node n1=: the host is missing",
      "no name | --node =h1 --node n2=h2 --node n3=h3 | expected NAME=HOST",
      "bad name | --node n/1=h1 --node n2=h2 --node n3=h3 | the name must be",
      "bad port | --node n1=h1,rest=70000 --node n2=h2 --node n3=h3 | --node n1=h1,rest=70000 (rest): expected a port",
      "unknown port key | --node n1=h1,ssh=22 --node n2=h2 --node n3=h3 | expected rest=PORT, raft=PORT or pg=PORT",
      "bad global port | --rest-port http --node n1=h1 --node n2=h2 --node n3=h3 | --rest-port: expected a port",
      "unknown flag | --nodes 3 | unknown option --nodes",
      "missing value | --node | --node needs a value",
      "flag twice | --scope again --node n1=h1 | --scope is given twice"})
  void badInputIsOneErrorNamingTheFlag(String what, String args, String expected) {
    List<String> all = new ArrayList<>(List.of("--scope", "demo", "--output", "/tmp/out"));
    all.addAll(List.of(args.trim().split("\\s+")));
    assertThatThrownBy(() -> InitArgs.parse(all, Prompter.NONE)).as(what)
        .isInstanceOf(InitException.class).hasMessageContaining(expected);
  }

  @Test
  void aBadScopeIsNamed() {
    List<String> args = new ArrayList<>(THREE);
    args.set(1, "my cluster");
    assertThatThrownBy(() -> InitArgs.parse(args, Prompter.NONE)).hasMessageStartingWith("--scope: expected");
  }

  @Test
  void withoutATerminalAMissingRequiredFlagIsNamed() {
    assertThatThrownBy(() -> InitArgs.parse(THREE.subList(2, THREE.size()), Prompter.NONE))
        .hasMessage("--scope is required");
    assertThatThrownBy(() -> InitArgs.parse(THREE.subList(0, 8), Prompter.NONE))
        .hasMessage("--output is required");
    assertThatThrownBy(() -> InitArgs.parse(List.of("--scope", "demo"), Prompter.NONE))
        .hasMessageStartingWith("--node is required");
  }

  @Test
  void onATerminalMissingValuesAreAskedFor() {
    Deque<String> answers = new ArrayDeque<>(List.of("demo", "3", "", "10.0.0.1", "b", "10.0.0.2", "c",
        "10.0.0.3", "/tmp/asked", ""));
    List<String> questions = new ArrayList<>();
    Prompter scripted = new Prompter() {
      @Override
      public Optional<String> ask(String question) {
        questions.add(question);
        return Optional.of(answers.removeFirst());
      }

      @Override
      public Optional<String> askSecret(String question) {
        questions.add(question);
        return question.startsWith("superuser") ? Optional.of("typed-secret") : Optional.empty();
      }
    };
    InitSpec spec = InitArgs.parse(List.of(), scripted);
    assertThat(spec.scope()).isEqualTo("demo");
    assertThat(spec.members()).extracting(InitSpec.Member::name).containsExactly("node1", "b", "c");
    assertThat(spec.output()).isEqualTo(Path.of("/tmp/asked"));
    assertThat(spec.dataRoot()).isEqualTo(Path.of("/var/lib/pgquorum"));
    assertThat(spec.superuserPassword()).contains("typed-secret");
    assertThat(spec.replicationPassword()).isEmpty();
    assertThat(answers).isEmpty();
    assertThat(questions).anyMatch(q -> q.contains("replication")).anyMatch(q -> q.contains("data directory root"));
  }

  @Test
  void anEvenNumberTypedAtThePromptIsRefused() {
    Deque<String> answers = new ArrayDeque<>(List.of("demo", "4"));
    Prompter scripted = new Prompter() {
      @Override
      public Optional<String> ask(String question) {
        return Optional.of(answers.removeFirst());
      }

      @Override
      public Optional<String> askSecret(String question) {
        return Optional.empty();
      }
    };
    assertThatThrownBy(() -> InitArgs.parse(List.of(), scripted))
        .hasMessageContaining("--node: the number of nodes must be odd and at least 3, got 4");
  }
}
