package cryptact;

import java.util.List;
import java.util.Map;

/** Every word cryptact's page shows, in English and Japanese. */
public final class Words {
  private static final Map<String, Map<String, String>> WORDS = Map.of(
    "en", Map.ofEntries(
      Map.entry("loggedIn", "You are logged in to cryptact as {email}"),
      Map.entry("twoFactor", "2FA: {answer}"),
      Map.entry("yes", "yes"),
      Map.entry("no", "no"),
      Map.entry("confirm", "Confirm with 2FA"),
      Map.entry("confirmed", "You confirmed it's you with 2FA."),
      Map.entry("notConfirmed", "That was not confirmed with 2FA. Turn on 2FA in Account settings, then try again."),
      Map.entry("account", "Account settings"),
      Map.entry("logOut", "Log out"),
      Map.entry("loggedOut", "You are not logged in to cryptact."),
      Map.entry("logIn", "Log in with your pafin account"),
      Map.entry("failed", "The login did not complete. Please try again.")),
    "ja", Map.ofEntries(
      Map.entry("loggedIn", "{email} で cryptact にログインしています"),
      Map.entry("twoFactor", "2段階認証: {answer}"),
      Map.entry("yes", "あり"),
      Map.entry("no", "なし"),
      Map.entry("confirm", "2段階認証で確認する"),
      Map.entry("confirmed", "2段階認証でご本人確認ができました。"),
      Map.entry("notConfirmed", "2段階認証での確認になりませんでした。アカウント設定で2段階認証をオンにしてから、もう一度お試しください。"),
      Map.entry("account", "アカウント設定"),
      Map.entry("logOut", "ログアウト"),
      Map.entry("loggedOut", "cryptact にログインしていません。"),
      Map.entry("logIn", "pafin アカウントでログイン"),
      Map.entry("failed", "ログインを完了できませんでした。もう一度お試しください。")));

  static final List<String> LANGUAGES = List.of("en", "ja");

  private Words() {
  }

  public static String get(String language, String key) {
    return WORDS.get(language).get(key);
  }
}
