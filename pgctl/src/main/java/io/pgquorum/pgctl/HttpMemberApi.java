package io.pgquorum.pgctl;

import io.pgquorum.coordinator.config.NodeConfig;
import java.net.URI;
import java.time.Duration;

/**
 * {@link MemberApi} over HTTP(S), through pgctl's one {@link RestClient} (TLS and credentials from the {@code ctl}
 * section, else {@code restapi}'s; {@code -k} skips server verification). Every failure without an HTTP answer is
 * a {@link CtlException} saying why.
 */
final class HttpMemberApi implements MemberApi {
  /** A member that does not answer within this is reported unreachable; patronictl's urllib3 default is similar. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final boolean insecure;
  /** Built on first use from the configuration of the command (one per pgctl run, as patronictl's). */
  private RestClient client;

  HttpMemberApi(boolean insecure) {
    this.insecure = insecure;
  }

  @Override
  public Response send(NodeConfig config, String apiUrl, String method, String endpoint) {
    return send(config, apiUrl, method, endpoint, null);
  }

  @Override
  public Response send(NodeConfig config, String apiUrl, String method, String endpoint, String body) {
    String url;
    try {
      URI base = URI.create(apiUrl);
      url = endpoint == null ? base.toString()
          : new URI(base.getScheme(), base.getRawAuthority(), "/" + endpoint, null, null).toString();
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      throw CtlException.failure("invalid api_url '" + apiUrl + "'");
    }
    try {
      RestClient.Reply r = client(config).send(url, method, body, TIMEOUT);
      return new Response(r.status(), r.body());
    } catch (RestClient.Failure e) {
      throw CtlException.failure(e.getMessage());
    }
  }

  private synchronized RestClient client(NodeConfig config) {
    if (client == null) {
      client = RestClient.of(config, insecure);
    }
    return client;
  }
}
