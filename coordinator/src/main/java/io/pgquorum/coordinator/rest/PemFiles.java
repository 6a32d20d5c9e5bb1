package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Reads the PEM files of Patroni's TLS keys with the JDK alone: certificate chains, and private keys as PKCS#8
 * ({@code BEGIN PRIVATE KEY}), encrypted PKCS#8 ({@code BEGIN ENCRYPTED PRIVATE KEY}, with
 * {@code keyfile_password}) or PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}, what older {@code openssl genrsa}
 * writes). Every failure is a {@link ConfigException} naming the configuration key and the file, never the
 * password, and saying how to convert a key it cannot read.
 */
final class PemFiles {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
  /** DER of AlgorithmIdentifier { rsaEncryption, NULL }, for wrapping a PKCS#1 key into PKCS#8. */
  private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
      (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

  private PemFiles() {}

  /** One PEM block: its label ({@code CERTIFICATE}, {@code PRIVATE KEY}, ...) and decoded bytes. */
  record Block(String label, byte[] der, boolean procTypeEncrypted) {}

  static List<Block> blocks(String key, Path file) {
    String text = read(key, file);
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String body = m.group(2);
      boolean encryptedHeader = body.contains("Proc-Type:") && body.contains("ENCRYPTED");
      byte[] der;
      try {
        der = encryptedHeader ? new byte[0] : Base64.getMimeDecoder().decode(body.trim());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key, file + ": the " + m.group(1) + " block is not valid base64");
      }
      out.add(new Block(m.group(1), der, encryptedHeader));
    }
    return out;
  }

  /** The certificates of {@code file}, in file order (leaf first for a chain). */
  static List<X509Certificate> certificates(String key, Path file) {
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Block b : blocks(key, file)) {
        if (b.label().equals("CERTIFICATE")) {
          out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
        }
      }
    } catch (CertificateException e) {
      throw new ConfigException(key, file + ": not a valid X.509 certificate (" + e.getMessage() + ")");
    }
    if (out.isEmpty()) {
      throw new ConfigException(key, file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return out;
  }

  /**
   * The private key in {@code file}.
   *
   * @param passwordKey the key path of the password setting, for messages
   */
  static PrivateKey privateKey(String key, Path file, Optional<String> password, String passwordKey) {
    for (Block b : blocks(key, file)) {
      switch (b.label()) {
        case "PRIVATE KEY":
          return pkcs8(key, file, b.der());
        case "ENCRYPTED PRIVATE KEY":
          if (password.isEmpty()) {
            throw new ConfigException(key, file + " holds an encrypted key: set " + passwordKey);
          }
          return pkcs8(key, file, decrypt(key, file, b.der(), password.get(), passwordKey));
        case "RSA PRIVATE KEY":
          if (b.procTypeEncrypted()) {
            throw new ConfigException(key, file + " holds an RSA key encrypted in OpenSSL's legacy format, which "
                + "pgquorum cannot read; convert it to encrypted PKCS#8: openssl pkcs8 -topk8 -in " + file
                + " -out <new file> (then set " + passwordKey + ")");
          }
          return pkcs8(key, file, rsaPkcs1ToPkcs8(b.der()));
        default:
          if (b.label().endsWith("PRIVATE KEY")) {
            throw new ConfigException(key, file + " holds a key of type '" + b.label() + "', which pgquorum "
                + "cannot read; convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in " + file
                + " -out <new file>");
          }
      }
    }
    throw new ConfigException(key, file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  }

  /** Fails unless {@code key} is the private key of {@code certificate}: a mismatch would fail every handshake. */
  static void requireMatch(String keyKey, String certKey, PrivateKey key, X509Certificate certificate) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
      default -> null;
    };
    if (algorithm == null) {
      return; // an unusual key type: the handshake will tell
    }
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // a key of another type than the certificate's: a mismatch as well
    }
    throw new ConfigException(keyKey, "is not the private key of the certificate in " + certKey + " ("
        + certificate.getSubjectX500Principal().getName() + ")");
  }

  private static PrivateKey pkcs8(String key, Path file, byte[] der) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new ConfigException(key, file + ": the private key is not a key the JDK can use (RSA, EC, Ed25519)");
  }

  private static byte[] decrypt(String key, Path file, byte[] der, String password, String passwordKey) {
    try {
      EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
      AlgorithmParameters params = info.getAlgParameters();
      // PBES2 names its real scheme in the parameters (e.g. PBEWithHmacSHA256AndAES_256).
      String algorithm = params != null && info.getAlgName().equals("PBES2") ? params.toString() : info.getAlgName();
      SecretKeyFactory factory = SecretKeyFactory.getInstance(algorithm);
      Cipher cipher = Cipher.getInstance(algorithm);
      cipher.init(Cipher.DECRYPT_MODE, factory.generateSecret(new PBEKeySpec(password.toCharArray())), params);
      return info.getKeySpec(cipher).getEncoded();
    } catch (IOException e) {
      throw new ConfigException(key, file + ": the encrypted key is malformed");
    } catch (GeneralSecurityException e) {
      throw new ConfigException(key, file + ": cannot decrypt the key (wrong " + passwordKey
          + ", or an encryption scheme the JDK lacks: " + e.getClass().getSimpleName() + ")");
    }
  }

  /** PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING pkcs1 }. */
  static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = tlv(0x04, pkcs1);
    byte[] body = new byte[version.length + RSA_ALGORITHM.length + octets.length];
    System.arraycopy(version, 0, body, 0, version.length);
    System.arraycopy(RSA_ALGORITHM, 0, body, version.length, RSA_ALGORITHM.length);
    System.arraycopy(octets, 0, body, version.length + RSA_ALGORITHM.length, octets.length);
    return tlv(0x30, body);
  }

  private static byte[] tlv(int tag, byte[] value) {
    int n = value.length;
    byte[] length;
    if (n < 0x80) {
      length = new byte[] {(byte) n};
    } else if (n < 0x100) {
      length = new byte[] {(byte) 0x81, (byte) n};
    } else if (n < 0x10000) {
      length = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    } else {
      length = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }
    byte[] out = new byte[1 + length.length + n];
    out[0] = (byte) tag;
    System.arraycopy(length, 0, out, 1, length.length);
    System.arraycopy(value, 0, out, 1 + length.length, n);
    return out;
  }

  private static String read(String key, Path file) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1); // never fails to decode; PEM is ASCII
    } catch (NoSuchFileException e) {
      throw new ConfigException(key, file + " does not exist");
    } catch (AccessDeniedException e) {
      throw new ConfigException(key, file + " is not readable by this user (permission denied)");
    } catch (IOException e) {
      throw new ConfigException(key, file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }
}
