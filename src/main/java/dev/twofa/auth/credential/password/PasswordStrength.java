package dev.twofa.auth.credential.password;

import dev.twofa.auth.Door;
import dev.twofa.config.PasswordPolicy;
import me.gosimple.nbvcxz.Nbvcxz;
import me.gosimple.nbvcxz.resources.Configuration;
import me.gosimple.nbvcxz.resources.ConfigurationBuilder;
import me.gosimple.nbvcxz.resources.Dictionary;
import me.gosimple.nbvcxz.resources.DictionaryBuilder;
import me.gosimple.nbvcxz.scoring.Result;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Length bounds (NIST SP 800-63B: no composition rules) and a guessability estimate from nbvcxz, which ships
 * common-password and word dictionaries; the email's parts are added so "alice2024" fails for alice@….
 */
@Door
public final class PasswordStrength {
  private final PasswordPolicy policy;

  public PasswordStrength(PasswordPolicy policy) {
    this.policy = policy;
  }

  /** Cheap checks that run before anything else (an absurdly long password never reaches the hasher). */
  public Optional<String> lengthProblem(String password) {
    int length = password.codePointCount(0, password.length());
    if (length < policy.minLength()) {
      return Optional.of("Use at least " + policy.minLength() + " characters.");
    }
    if (length > policy.maxLength()) {
      return Optional.of("Use at most " + policy.maxLength() + " characters.");
    }
    return Optional.empty();
  }

  /** The reason the password is too weak, if it is. Costly: call it on a worker thread. */
  public Optional<String> problem(String password, String email) {
    Optional<String> length = lengthProblem(password);
    if (length.isPresent()) {
      return length;
    }
    Result result = new Nbvcxz(configurationFor(email)).estimate(password);
    if (result.isMinimumEntropyMet()) {
      return Optional.empty();
    }
    String warning = result.getFeedback().getWarning();
    return Optional.of((warning == null || warning.isBlank() ? "This password is easy to guess." : warning)
      + " Try a longer phrase of unrelated words.");
  }

  private static Configuration configurationFor(String email) {
    DictionaryBuilder personal = new DictionaryBuilder().setDictionaryName("account").setExclusion(false);
    for (String part : email.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (part.length() >= 3) {
        personal.addWord(part, 1);
      }
    }
    personal.addWord(email.toLowerCase(Locale.ROOT), 1);
    List<Dictionary> dictionaries = new ArrayList<>(ConfigurationBuilder.getDefaultDictionaries());
    dictionaries.add(personal.createDictionary());
    return new ConfigurationBuilder().setDictionaries(dictionaries).createConfiguration();
  }
}
