package io.pgquorum.coordinator.init;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster's own certificate authority, made by {@code pgquorum init}, and the node certificates it issues:
 * each usable both as a TLS server and a TLS client certificate (serverAuth and clientAuth), because one file
 * serves the REST API, the node's calls to its peers' APIs (ctl) and both ends of mutual TLS on Raft. Keys are
 * EC P-256, written as unencrypted PKCS#8 PEM: what raft.tls needs (Netty's PEM reader decodes PKCS#8 only and
 * Ratis passes it no password), and what restapi.keyfile reads too.
 */
public final class ClusterPki {
  /** The CA outlives the node certificates, so renewing a node certificate never needs a new CA. */
  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  /** 825 days: the longest server certificate lifetime common TLS clients accept. */
  static final Duration NODE_VALIDITY = Duration.ofDays(825);
  /** Backdated a little so that a node whose clock is slightly behind accepts a fresh certificate. */
  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyPair caKeys;
  private final X509Certificate caCert;

  private ClusterPki(KeyPair caKeys, X509Certificate caCert) {
    this.caKeys = caKeys;
    this.caCert = caCert;
  }

  /** A node's certificate (its chain is this certificate, then the CA) and private key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {}

  /** A new CA named after the cluster. */
  public static ClusterPki create(String scope, Instant now) {
    try {
      KeyPair keys = keyPair();
      X500Name subject = name(scope, "pgquorum CA " + scope);
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
          Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), subject, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false,
              new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
      return new ClusterPki(keys, sign(builder, keys.getPrivate()));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot create the cluster CA: " + e.getMessage(), e);
    }
  }

  /**
   * A certificate for node {@code name} reached at {@code host}: the subject alternative name is {@code host}
   * (an IP address SAN for an IPv4 literal, else a DNS name), which is what TLS clients check against the
   * address they connect to.
   */
  public Issued issue(String scope, String name, String host, boolean hostIsIp, Instant now) {
    try {
      KeyPair keys = keyPair();
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      GeneralName san = new GeneralName(hostIsIp ? GeneralName.iPAddress : GeneralName.dNSName, host);
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert, serial(),
          Date.from(now.minus(BACKDATE)), Date.from(now.plus(NODE_VALIDITY)), name(scope, name), keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCert));
      return new Issued(sign(builder, caKeys.getPrivate()), keys.getPrivate());
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot issue the certificate of " + name + ": " + e.getMessage(), e);
    }
  }

  public X509Certificate caCertificate() {
    return caCert;
  }

  public PrivateKey caKey() {
    return caKeys.getPrivate();
  }

  /** PEM text of {@code certificates}, in order. */
  public static String pem(List<X509Certificate> certificates) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate c : certificates) {
        writer.writeObject(c);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** {@code -----BEGIN PRIVATE KEY-----}: PKCS#8 PrivateKeyInfo, not encrypted. */
  public static String pkcs8Pem(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static X500Name name(String scope, String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "pgquorum")
        .addRDN(BCStyle.OU, scope)
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE); // positive, at most 16 bytes (RFC 5280)
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
  }
}
