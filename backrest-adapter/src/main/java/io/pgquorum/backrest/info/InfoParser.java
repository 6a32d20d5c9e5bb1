package io.pgquorum.backrest.info;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.backrest.BackupType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code pgbackrest info --output=json} (2.45's fields; later versions' additions are ignored). Fields a
 * health check relies on are required, so a format change fails loudly here instead of reading as "no backups".
 */
public final class InfoParser {
  private static final ObjectMapper JSON = new ObjectMapper();

  private InfoParser() {}

  /**
   * @throws IllegalArgumentException naming the missing or malformed field
   */
  public static List<StanzaInfo> parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("pgbackrest info: not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException("pgbackrest info: expected an array of stanzas");
    }
    List<StanzaInfo> out = new ArrayList<>();
    for (JsonNode s : root) {
      out.add(stanza(s));
    }
    return out;
  }

  private static StanzaInfo stanza(JsonNode s) {
    String name = text(s, "name", "stanza");
    String where = "stanza " + name;
    List<StanzaInfo.RepoInfo> repos = new ArrayList<>();
    for (JsonNode r : s.path("repo")) {
      repos.add(new StanzaInfo.RepoInfo(r.path("key").asInt(), status(r, where + " repo")));
    }
    List<BackupInfo> backups = new ArrayList<>();
    for (JsonNode b : s.path("backup")) {
      backups.add(backup(b, where));
    }
    List<StanzaInfo.ArchiveRange> archives = new ArrayList<>();
    for (JsonNode a : s.path("archive")) {
      archives.add(new StanzaInfo.ArchiveRange(text(a, "id", where + " archive"), optText(a.path("min")),
          optText(a.path("max"))));
    }
    List<Long> systemIds = new ArrayList<>();
    for (JsonNode d : s.path("db")) {
      systemIds.add(d.path("system-id").asLong());
    }
    boolean running = s.path("status").path("lock").path("backup").path("held").asBoolean(false);
    return new StanzaInfo(name, status(s, where), running, repos, backups, archives, systemIds);
  }

  private static BackupInfo backup(JsonNode b, String where) {
    String label = text(b, "label", where + " backup");
    String at = where + " backup " + label;
    BackupType type;
    try {
      type = BackupType.of(text(b, "type", at));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pgbackrest info: " + at + ": " + e.getMessage());
    }
    List<String> refs = new ArrayList<>();
    b.path("reference").forEach(r -> refs.add(r.asText()));
    JsonNode info = b.path("info");
    return new BackupInfo(label, type, optText(b.path("prior")), refs, epoch(b, "start", at), epoch(b, "stop", at),
        optText(b.path("archive").path("start")), optText(b.path("archive").path("stop")),
        optText(b.path("lsn").path("start")), optText(b.path("lsn").path("stop")), info.path("size").asLong(),
        info.path("delta").asLong(), info.path("repository").path("size").asLong(),
        info.path("repository").path("delta").asLong(), b.path("error").asBoolean(false));
  }

  private static StanzaStatus status(JsonNode n, String where) {
    JsonNode st = n.path("status");
    if (!st.path("code").isInt()) {
      throw new IllegalArgumentException("pgbackrest info: " + where + ": no status.code");
    }
    return new StanzaStatus(st.path("code").asInt(), st.path("message").asText(""));
  }

  private static Instant epoch(JsonNode b, String field, String where) {
    JsonNode t = b.path("timestamp").path(field);
    if (!t.canConvertToLong()) {
      throw new IllegalArgumentException("pgbackrest info: " + where + ": no timestamp." + field);
    }
    return Instant.ofEpochSecond(t.asLong());
  }

  private static String text(JsonNode n, String field, String where) {
    JsonNode v = n.path(field);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("pgbackrest info: " + where + ": no " + field);
    }
    return v.asText();
  }

  private static Optional<String> optText(JsonNode v) {
    return v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
  }
}
