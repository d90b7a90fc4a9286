package dev.twofa.auth.notify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.mailencoder.MailEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.UUID;

/**
 * Without an SMTP server (the README's local run) each mail becomes an {@code .eml} file that a mail program
 * opens: a folder only this user can read (0700, files 0600, since a mail may hold a single-use link), and a
 * log line that names the file but never shows its content.
 */
final class EmlFolder implements MailTransport {
  private static final Logger LOG = LoggerFactory.getLogger(EmlFolder.class);
  private final Vertx vertx;
  private final Path folder;
  private final String from;

  EmlFolder(Vertx vertx, Path folder, String from) {
    this.vertx = vertx;
    this.folder = folder;
    this.from = from;
  }

  @Override
  public Future<Void> send(Mail mail) {
    return vertx.executeBlocking(() -> {
      String encoded = new MailEncoder(SmtpTransport.message(mail, from), "localhost").encode();
      Path file = folder.resolve(Instant.now().toString().replace(":", "") + "-" + mail.kind() + "-"
        + UUID.randomUUID().toString().substring(0, 8) + ".eml");
      createFolder();
      Files.write(Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
        encoded.getBytes(StandardCharsets.UTF_8), StandardOpenOption.WRITE);
      LOG.info("event=mail.written kind={} file={}", mail.kind(), file.toAbsolutePath());
      return null;
    }, false);
  }

  private void createFolder() throws java.io.IOException {
    try {
      Files.createDirectories(folder.getParent() == null ? folder.toAbsolutePath().getParent() : folder.getParent());
      Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException exists) {
      // Made by an earlier mail (or another auth instance).
    }
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
