package io.pgquorum.dcs.testing;

import io.pgquorum.dcs.ratis.TlsFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
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
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for mutual-TLS tests. It writes PEM files in exactly the shapes that
 * Ratis' file-based {@code GrpcTlsConfig(privateKeyFile, certChainFile, trustStoreFile, mTlsEnabled)} hands to
 * Netty's {@code SslContextBuilder}:
 * <ul>
 *   <li>{@code <caName>-ca.crt}: the self-signed CA certificate (trust store file);</li>
 *   <li>{@code <name>.crt}: the member's certificate chain, leaf first, then the CA;</li>
 *   <li>{@code <name>.key}: the member's private key as <em>unencrypted PKCS#8</em>
 *       ({@code -----BEGIN PRIVATE KEY-----}). Netty's own PEM reader only decodes PKCS#8, and Ratis gives
 *       it no key password.</li>
 * </ul>
 * Every member certificate is usable both as a TLS server and as a TLS client certificate (extended key
 * usage serverAuth and clientAuth), with subject alternative names {@code DNS:localhost},
 * {@code IP:127.0.0.1} and {@code DNS:<name>}, valid from one hour ago to one day from now.
 *
 * <p>Two {@code TestPki} instances are fully independent: certificates issued by one are not trusted by
 * the other, e.g. {@code TestPki.create(dir, "rogue")} for a peer that must be refused.
 *
 * <p>Keys are EC P-256 by default (fast to generate, accepted by the JDK and by Netty with either the JDK or
 * the OpenSSL/BoringSSL provider); {@link KeyType#RSA_2048} is available as well.
 */
public final class TestPki {

  /**
   * The files of one issued member, for {@code GrpcTlsConfig(privateKey, certChain, trustedCa, true)} or, via
   * {@link #tlsFiles()}, for the DCS configuration.
   */
  public record Member(Path certChain, Path privateKey, Path trustedCa) {
    public Member {
      Objects.requireNonNull(certChain, "certChain");
      Objects.requireNonNull(privateKey, "privateKey");
      Objects.requireNonNull(trustedCa, "trustedCa");
    }

    /** The same three files as the DCS TLS configuration. */
    public TlsFiles tlsFiles() {
      return new TlsFiles(certChain, privateKey, trustedCa);
    }
  }

  /** Key algorithm of the CA and of every certificate it issues. */
  public enum KeyType {
    EC_P256("EC", "SHA256withECDSA"),
    RSA_2048("RSA", "SHA256withRSA");

    private final String keyAlgorithm;
    private final String signatureAlgorithm;

    KeyType(String keyAlgorithm, String signatureAlgorithm) {
      this.keyAlgorithm = keyAlgorithm;
      this.signatureAlgorithm = signatureAlgorithm;
    }

    KeyPair generate() throws GeneralSecurityException {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(keyAlgorithm);
      if (this == EC_P256) {
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      } else {
        generator.initialize(2048, RANDOM);
      }
      return generator.generateKeyPair();
    }
  }

  /** Names end up in file names and in a DNS subject alternative name, so keep them to DNS characters. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,61}[A-Za-z0-9])?");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final Duration LEAF_VALIDITY = Duration.ofDays(1);

  private final Path dir;
  private final String caName;
  private final KeyType keyType;
  private final KeyPair caKeyPair;
  private final X509Certificate caCert;
  private final Path caCertFile;

  private TestPki(Path dir, String caName, KeyType keyType, KeyPair caKeyPair, X509Certificate caCert,
      Path caCertFile) {
    this.dir = dir;
    this.caName = caName;
    this.keyType = keyType;
    this.caKeyPair = caKeyPair;
    this.caCert = caCert;
    this.caCertFile = caCertFile;
  }

  /** Creates a new EC P-256 CA named {@code caName} and writes {@code <dir>/<caName>-ca.crt}. */
  public static TestPki create(Path dir, String caName) {
    return create(dir, caName, KeyType.EC_P256);
  }

  /** Creates a new CA named {@code caName} with the given key type and writes {@code <dir>/<caName>-ca.crt}. */
  public static TestPki create(Path dir, String caName, KeyType keyType) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(keyType, "keyType");
    checkName(caName);
    try {
      Files.createDirectories(dir);
      KeyPair caKeyPair = keyType.generate();
      Instant now = Instant.now();
      X500Name subject = name(caName + " test CA");
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      // The CA outlives its leaves on both ends so that no validator objects to a leaf outside its issuer.
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          subject, serial(), Date.from(now.minus(BACKDATE).minus(BACKDATE)),
          Date.from(now.plus(LEAF_VALIDITY).plus(LEAF_VALIDITY)), subject, caKeyPair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false,
              extensions.createSubjectKeyIdentifier(caKeyPair.getPublic()));
      X509Certificate caCert = sign(builder, caKeyPair.getPrivate(), keyType);
      Path caCertFile = dir.resolve(caName + "-ca.crt");
      writeString(caCertFile, pem(List.of(caCert)));
      return new TestPki(dir, caName, keyType, caKeyPair, caCert, caCertFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create test CA " + caName, e);
    }
  }

  /**
   * Issues a certificate for {@code name} signed by this CA and writes {@code <dir>/<name>.crt} (leaf, then
   * CA) and {@code <dir>/<name>.key} (unencrypted PKCS#8). Issuing the same name again replaces both files.
   */
  public Member issue(String name) {
    checkName(name);
    try {
      KeyPair keyPair = keyType.generate();
      Instant now = Instant.now();
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      List<GeneralName> altNames = new ArrayList<>();
      altNames.add(new GeneralName(GeneralName.dNSName, "localhost"));
      altNames.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
      if (!name.equalsIgnoreCase("localhost")) {
        altNames.add(new GeneralName(GeneralName.dNSName, name));
      }
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          caCert, serial(), Date.from(now.minus(BACKDATE)), Date.from(now.plus(LEAF_VALIDITY)),
          name(name), keyPair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(altNames.toArray(GeneralName[]::new)))
          .addExtension(Extension.subjectKeyIdentifier, false,
              extensions.createSubjectKeyIdentifier(keyPair.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false,
              extensions.createAuthorityKeyIdentifier(caCert));
      X509Certificate leaf = sign(builder, caKeyPair.getPrivate(), keyType);

      Path certFile = dir.resolve(name + ".crt");
      Path keyFile = dir.resolve(name + ".key");
      writeString(certFile, pem(List.of(leaf, caCert)));
      writeString(keyFile, pkcs8Pem(keyPair.getPrivate()));
      return new Member(certFile, keyFile, caCertFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue test certificate " + name + " from CA " + caName, e);
    }
  }

  /** {@code <dir>/<caName>-ca.crt}: the file to trust for members of this CA. */
  public Path caCertFile() {
    return caCertFile;
  }

  /** The CA certificate itself. */
  public X509Certificate caCertificate() {
    return caCert;
  }

  public String caName() {
    return caName;
  }

  public KeyType keyType() {
    return keyType;
  }

  public Path dir() {
    return dir;
  }

  @Override
  public String toString() {
    return "TestPki[" + caName + ", " + keyType + ", " + dir + "]";
  }

  private static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name must be a DNS-style label (letters, digits, '-', '.'): " + name);
    }
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "pgquorum tests")
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE); // positive, at most 16 bytes
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer, KeyType keyType)
      throws OperatorCreationException, GeneralSecurityException {
    X509CertificateHolder holder =
        builder.build(new JcaContentSignerBuilder(keyType.signatureAlgorithm).build(signer));
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static String pem(List<X509Certificate> certificates) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate certificate : certificates) {
        writer.writeObject(certificate);
      }
    }
    return out.toString();
  }

  /** {@code -----BEGIN PRIVATE KEY-----}: PKCS#8 PrivateKeyInfo, no encryption. */
  private static String pkcs8Pem(PrivateKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    }
    return out.toString();
  }

  private static void writeString(Path file, String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.US_ASCII);
  }
}
