package cryptact;

/** cryptact's one page, logged in or not, in the reader's language. */
final class CryptactPage {
  private CryptactPage() {
  }

  /** What the page shows about the login: none when logged out. */
  record Login(String email, boolean twoFactor) {
  }

  static String render(String language, Login login, String notice, String accountUrl) {
    StringBuilder body = new StringBuilder();
    if (notice != null) {
      body.append("<p role=\"status\">").append(escape(Words.get(language, notice))).append("</p>");
    }
    if (login == null) {
      body.append("<p>").append(escape(Words.get(language, "loggedOut"))).append("</p>")
        .append("<form method=\"get\" action=\"/login\"><button>").append(escape(Words.get(language, "logIn")))
        .append("</button></form>");
    } else {
      body.append("<h1>").append(escape(Words.get(language, "loggedIn").replace("{email}", login.email()))).append("</h1>")
        .append("<p id=\"two-factor\">").append(escape(Words.get(language, "twoFactor")
          .replace("{answer}", Words.get(language, login.twoFactor() ? "yes" : "no")))).append("</p>")
        .append("<form method=\"get\" action=\"/login\"><input type=\"hidden\" name=\"confirm\" value=\"2fa\"><button>")
        .append(escape(Words.get(language, "confirm"))).append("</button></form>")
        .append("<p><a href=\"").append(escape(accountUrl)).append("\">").append(escape(Words.get(language, "account")))
        .append("</a></p><p><a href=\"/logout\">").append(escape(Words.get(language, "logOut"))).append("</a></p>");
    }
    return "<!doctype html><html lang=\"" + language + "\"><head><meta charset=\"utf-8\">"
      + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>cryptact</title><link rel=\"icon\" href=\"data:,\">"
      + "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.6}"
      + "h1{font-size:1.4rem;word-break:auto-phrase;overflow-wrap:anywhere}button{font:inherit;padding:.5rem 1rem}</style></head><body><main>"
      + "<p><strong>cryptact</strong></p>" + body + "</main></body></html>";
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
