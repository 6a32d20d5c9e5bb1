package io.pgquorum.coordinator.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The certificates init writes: SANs, usages, a chain that verifies against the CA, and keys that match. */
class ClusterPkiTest {
  private static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private final ClusterPki pki = ClusterPki.create("demo", NOW);

  @Test
  void theCaIsACaAndSignsOnlyCertificates() throws Exception {
    X509Certificate ca = reparse(pki.caCertificate());
    assertThat(ca.getBasicConstraints()).isZero();
    boolean[] usage = ca.getKeyUsage();
    assertThat(usage[5]).as("keyCertSign").isTrue();
    assertThat(usage[0]).as("digitalSignature").isFalse();
    assertThat(ca.getSubjectX500Principal()).isEqualTo(ca.getIssuerX500Principal());
    assertThat(ca.getSubjectX500Principal().getName()).contains("CN=pgquorum CA demo");
    ca.verify(ca.getPublicKey());
  }

  @Test
  void anIpHostGetsAnIpSanAndBothTlsUsages() throws Exception {
    X509Certificate leaf = reparse(pki.issue("demo", "node1", "10.0.0.1", true, NOW).certificate());
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(7, "10.0.0.1"));
    assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=node1");
  }

  @Test
  void aDnsHostGetsADnsSan() throws Exception {
    X509Certificate leaf = reparse(pki.issue("demo", "node3", "db3.example.com", false, NOW).certificate());
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, "db3.example.com"));
  }

  @Test
  void theChainVerifiesAgainstTheCaAndNotAgainstAnotherCa() throws Exception {
    X509Certificate leaf = reparse(pki.issue("demo", "node1", "10.0.0.1", true, NOW).certificate());
    validate(leaf, pki.caCertificate());
    ClusterPki other = ClusterPki.create("demo", NOW);
    assertThatThrownBy(() -> validate(leaf, other.caCertificate())).isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void validityCoversNowWithTheCaOutlivingTheLeaf() {
    X509Certificate ca = pki.caCertificate();
    X509Certificate leaf = pki.issue("demo", "node1", "10.0.0.1", true, NOW).certificate();
    assertThat(leaf.getNotBefore()).isBefore(Date.from(NOW));
    assertThat(leaf.getNotAfter()).isAfter(Date.from(NOW.plus(Duration.ofDays(800))));
    assertThat(ca.getNotAfter()).isAfter(leaf.getNotAfter());
    assertThat(ca.getNotBefore()).isBeforeOrEqualTo(leaf.getNotBefore());
  }

  @Test
  void theKeyIsUnencryptedPkcs8AndMatchesTheCertificate() throws Exception {
    ClusterPki.Issued issued = pki.issue("demo", "node1", "10.0.0.1", true, NOW);
    String pem = ClusterPki.pkcs8Pem(issued.key());
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----").doesNotContain("ENCRYPTED");
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
        Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""))));
    byte[] data = "proof of possession".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(issued.certificate().getPublicKey());
    verifier.update(data);
    assertThat(verifier.verify(signature)).isTrue();
    // ... and not the key of another certificate.
    verifier.initVerify(pki.issue("demo", "node2", "10.0.0.2", true, NOW).certificate().getPublicKey());
    verifier.update(data);
    assertThat(verifier.verify(signature)).isFalse();
  }

  @Test
  void pemChainsReadBackInOrder() throws Exception {
    X509Certificate leaf = pki.issue("demo", "node1", "10.0.0.1", true, NOW).certificate();
    String pem = ClusterPki.pem(List.of(leaf, pki.caCertificate()));
    List<java.security.cert.Certificate> parsed = new java.util.ArrayList<>(CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
    assertThat(parsed).containsExactly(leaf, pki.caCertificate());
  }

  private static void validate(X509Certificate leaf, X509Certificate ca) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
    params.setRevocationEnabled(false);
    params.setDate(Date.from(NOW));
    CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.of(leaf)), params);
  }

  /** Through the JDK's own parser, as TLS stacks read the PEM files. */
  private static X509Certificate reparse(X509Certificate c) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(c.getEncoded()));
  }
}
