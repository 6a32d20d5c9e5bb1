package io.pgquorum.jepsen.campaign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code campaign.json}: the {@link CampaignSummary} as JSON (records as objects, field names as in the records),
 * for scripts and notebooks. Written atomically (temporary file, then a move), so a reader never sees half a file
 * while a long campaign rewrites it after every trial.
 */
public final class CampaignJson {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CampaignJson() {
  }

  public static String write(CampaignSummary s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode the campaign summary", e);
    }
  }

  /** Reads a summary written by {@link #write}. */
  public static CampaignSummary read(String json) {
    try {
      return JSON.readValue(json, CampaignSummary.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a campaign summary: " + e.getOriginalMessage());
    }
  }

  /** Writes {@code text} to {@code file} through a temporary file in the same directory. */
  public static void writeAtomically(Path file, String text) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
