package dev.twofa.support;

import com.deque.html.axecore.args.AxeRunOnlyOptions;
import com.deque.html.axecore.args.AxeRunOptions;
import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Debian's Chromium, headless, driven through Selenium by what a person sees: labels, button texts, headings.
 * Every lookup waits for its element (the app renders a screen in steps: heading first, data once it arrived),
 * and a modal dialog, once open, is where fields are looked for. It also checks each screen with axe-core, keeps
 * screenshots at phone and desktop widths under target/screenshots, and collects the console so a test can
 * require it to stay clean.
 */
public final class Browser implements AutoCloseable, BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
  /** Orders a per-class browser after the server it opens (JUnit's default order for extensions is MAX_VALUE / 2). */
  public static final int AFTER_SERVER = Integer.MAX_VALUE;
  public static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private String noAutofillScript;
  private static final int[] WIDTHS = {375, 1280};
  /**
   * The width axe-core checks a screen at. Its rules (names, contrast, roles, landmarks) do not change with the
   * width, and a run costs a second or more, so it runs once, at desktop width; overflow is checked at both.
   */
  private static final int AXE_WIDTH = 1280;
  /** How long a lookup waits for its element: only a bound on a failure, a passing test never waits it out. */
  private static final int LOOKUP_SECONDS = 10;
  /** How often a wait looks again: Selenium's default, half a second, would be added to most steps of a walk. */
  private static final Duration POLL = Duration.ofMillis(20);
  /** Latin words allowed on a Japanese screen: names of products, browsers and systems, and the switch. */
  private static final Pattern ALLOWED = Pattern.compile(
    "cryptact|pafin|Inc|English|Google|Microsoft|Authenticator|QR|Chrome|Linux|CSV|JSON");
  private static final Pattern LATIN_WORD = Pattern.compile("[A-Za-z]{2,}");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");
  private JsonNode messages;
  private final String language;
  private final TestServer server;
  private ChromeDriver driver;
  private String baseUrl;
  private Path downloads;
  private final List<String> console = new ArrayList<>();

  public Browser(String baseUrl) throws IOException {
    this(baseUrl, "en");
  }

  /** A Chromium whose own language (and so Accept-Language) is {@code language}; screenshots go to a folder per language. */
  public Browser(String baseUrl, String language) throws IOException {
    this.language = language;
    this.server = null;
    start(baseUrl);
  }

  /**
   * One Chromium for a test class, as an extension ordered after {@code server} ({@code @Order(AFTER_SERVER)}):
   * it starts once the server is up, opens each test anonymous at /login, and quits after the class.
   */
  public static Browser perClass(TestServer server) {
    return new Browser(server, "en");
  }

  public static Browser perClass(TestServer server, String language) {
    return new Browser(server, language);
  }

  private Browser(TestServer server, String language) {
    this.language = language;
    this.server = server;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    start(server.baseUrl());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    open("/login");
    clearSession();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (driver != null) {
      close();
    }
  }

  private void start(String baseUrl) throws IOException {
    this.baseUrl = baseUrl;
    this.downloads = TempDirs.create("twofa-downloads");
    Path profile = TempDirs.create("twofa-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(System.getenv().getOrDefault("CHROMIUM_BINARY", "/usr/bin/chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=" + (language.equals("en") ? "en-US" : language));
    options.setExperimentalOption("prefs", Map.of(
      "download.default_directory", downloads.toAbsolutePath().toString(),
      "download.prompt_for_download", false,
      "intl.accept_languages", language.equals("en") ? "en-US,en" : language));
    // Prompts (the leave warning) stay open until the test answers them.
    options.setUnhandledPromptBehaviour(org.openqa.selenium.UnexpectedAlertBehaviour.IGNORE);
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
      .usingDriverExecutable(new File(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver")))
      .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow",
      "downloadPath", downloads.toAbsolutePath().toString()));
    driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", baseUrl,
      "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
  }

  /** Forgets one cookie (HTTP-only ones too), e.g. the device cookie, so the browser looks like another. */
  public void deleteCookie(String name) {
    driver.manage().deleteCookieNamed(name);
  }

  /** Forgets cookies, so the next page starts anonymous. */
  public void clearSession() {
    driver.manage().deleteAllCookies();
  }

  public void open(String path) {
    driver.get(baseUrl + path);
  }

  /** Opens a page of another server (an application on its own port). */
  public void openAddress(String url) {
    driver.get(url);
  }

  public String path() {
    return (String) driver.executeScript("return location.pathname");
  }

  /** Waits for the screen whose h1 reads {@code text}. */
  public void waitForHeading(String text) {
    wait(LOOKUP_SECONDS).until(d -> {
      List<WebElement> headings = d.findElements(By.tagName("h1"));
      return !headings.isEmpty() && headings.get(0).getText().trim().equals(text);
    });
  }

  public String heading() {
    return present(By.tagName("h1")).getText();
  }

  public void fill(String label, String value) {
    WebElement input = input(label);
    input.clear();
    input.sendKeys(value);
  }

  /**
   * The field labelled {@code label}, waiting for it: in the open modal dialog when there is one (the rest of the
   * page is inert then), a shown label before a hidden one. The field itself may be hidden (a folded panel).
   */
  public WebElement input(String label) {
    String xpath = ".//label[normalize-space()=" + quote(label) + "]";
    return wait(LOOKUP_SECONDS).withMessage(() -> "no field labelled " + label).until(d -> {
      List<WebElement> labels = scope().findElements(By.xpath(xpath));
      WebElement chosen = labels.stream().filter(WebElement::isDisplayed).findFirst()
        .orElse(labels.isEmpty() ? null : labels.get(0));
      if (chosen == null) {
        return null;
      }
      List<WebElement> fields = d.findElements(By.id(chosen.getAttribute("for")));
      return fields.isEmpty() ? null : fields.get(0);
    });
  }

  /** The open modal dialog if there is one, else the whole page. */
  private SearchContext scope() {
    List<WebElement> open = driver.findElements(By.cssSelector("dialog[open]"));
    return open.isEmpty() ? driver : open.get(open.size() - 1);
  }

  /** Waits for the open modal dialog whose heading reads {@code title} (as "Confirm it's you"), and returns it. */
  public WebElement waitForDialog(String title) {
    return wait(LOOKUP_SECONDS).withMessage(() -> "no open dialog " + title).until(d ->
      d.findElements(By.cssSelector("dialog[open]")).stream()
        .filter(dialog -> dialog.isDisplayed() && dialog.findElements(By.cssSelector("h1, h2")).stream()
          .anyMatch(h -> h.getText().trim().equals(title)))
        .findFirst().orElse(null));
  }

  /** Waits until the element {@code css} selects is shown (a panel that opens, a menu), and returns it. */
  public WebElement waitForVisible(String css) {
    return wait(LOOKUP_SECONDS).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  /** Waits for the element {@code by} to be on the page, shown or not. */
  private WebElement present(By by) {
    return wait(LOOKUP_SECONDS).until(ExpectedConditions.presenceOfElementLocated(by));
  }

  public void click(String buttonText) {
    WebElement button = wait(LOOKUP_SECONDS).until(ExpectedConditions.elementToBeClickable(
      By.xpath("//button[normalize-space()=" + quote(buttonText) + "] | //a[normalize-space()=" + quote(buttonText) + "]")));
    button.click();
  }

  /** The button reading {@code text}, waiting for it (enabled or not, shown or not). */
  public WebElement button(String text) {
    return present(By.xpath("//button[normalize-space()=" + quote(text) + "]"));
  }

  /** The element whose aria-label is {@code label}, waiting until it can be clicked. */
  public WebElement byAriaLabel(String label) {
    return wait(LOOKUP_SECONDS)
      .until(ExpectedConditions.elementToBeClickable(By.cssSelector("[aria-label=" + quote(label) + "]")));
  }

  public boolean hasText(String text) {
    return driver.findElement(By.tagName("body")).getText().contains(text);
  }

  public void waitForText(String text) {
    wait(LOOKUP_SECONDS).until(d -> d.findElement(By.tagName("body")).getText().contains(text));
  }

  /** The error shown next to the field labelled {@code label}. */
  public String fieldError(String label) {
    WebElement input = input(label);
    String errorId = input.getAttribute("id") + "-error";
    return wait(LOOKUP_SECONDS).until(d -> {
      String text = d.findElement(By.id(errorId)).getText();
      return text.isBlank() ? null : text;
    });
  }

  /** The visible texts of the elements {@code css} selects (hidden ones are not on the screen). */
  public List<String> texts(String css) {
    return driver.findElements(By.cssSelector(css)).stream().filter(WebElement::isDisplayed).map(WebElement::getText)
      .collect(Collectors.toList());
  }

  /** The first element {@code css} selects, waiting for it (shown or not). */
  public WebElement find(String css) {
    return present(By.cssSelector(css));
  }

  public Object script(String js, Object... args) {
    return driver.executeScript(js, args);
  }

  /** Runs {@code js} until it calls its last argument (a callback) with the result. */
  public Object asyncScript(String js, Object... args) {
    return driver.executeAsyncScript(js, args);
  }
  /** A write from the page (its cookies and CSRF header), as {status, body}. */
  public io.vertx.core.json.JsonObject postFromPage(String path, io.vertx.core.json.JsonObject body) {
    @SuppressWarnings("unchecked")
    Map<String, Object> answer = (Map<String, Object>) asyncScript("""
        const done = arguments[arguments.length - 1];
        const token = (document.cookie.match(/(?:^|;\\s*)XSRF-TOKEN=([^;]+)/) || [])[1] || '';
        fetch(arguments[0], { method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-XSRF-TOKEN': decodeURIComponent(token) },
          body: arguments[1] === null ? undefined : arguments[1] })
          .then(async (r) => done({ status: r.status, body: await r.text() }));
        """, path, body == null ? null : body.encode());
    return new io.vertx.core.json.JsonObject().put("status", ((Number) answer.get("status")).intValue())
      .put("body", answer.get("body"));
  }

  /** The same write sent twice at once from the page; the two statuses. */
  @SuppressWarnings("unchecked")
  public List<Object> postTwiceFromPage(String path, io.vertx.core.json.JsonObject body) {
    return (List<Object>) asyncScript("""
        const done = arguments[arguments.length - 1];
        const token = (document.cookie.match(/(?:^|;\\s*)XSRF-TOKEN=([^;]+)/) || [])[1] || '';
        const send = () => fetch(arguments[0], { method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-XSRF-TOKEN': decodeURIComponent(token) }, body: arguments[1] })
          .then((r) => r.status);
        Promise.all([send(), send()]).then(done);
        """, path, body.encode());
  }


  /**
   * A platform passkey authenticator in this Chromium (CTAP2, internal transport, discoverable keys, user
   * verification that always succeeds), as Selenium's VirtualAuthenticator: WebAuthn works without a device.
   */
  public org.openqa.selenium.virtualauthenticator.VirtualAuthenticator addPasskeyAuthenticator() {
    return driver.addVirtualAuthenticator(new org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions()
      .setProtocol(org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions.Protocol.CTAP2)
      .setTransport(org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions.Transport.INTERNAL)
      .setHasResidentKey(true).setHasUserVerification(true).setIsUserVerified(true).setIsUserConsenting(true));
  }

  /**
   * From the next page load on, the browser says it cannot offer passkeys among a field's suggestions (no
   * conditional mediation), as many still do. Chromium's virtual authenticator answers such a waiting request at
   * once, which would log in from the login screen before a test could type a password; {@link #withPasskeyAutofill}
   * undoes it.
   */
  public void withoutPasskeyAutofill() {
    if (noAutofillScript == null) {
      noAutofillScript = (String) driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
        "if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);"))
        .get("identifier");
    }
  }

  public void withPasskeyAutofill() {
    if (noAutofillScript != null) {
      driver.executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", noAutofillScript));
      noAutofillScript = null;
    }
  }

  public void removePasskeyAuthenticator(org.openqa.selenium.virtualauthenticator.VirtualAuthenticator authenticator) {
    driver.removeVirtualAuthenticator(authenticator);
  }

  public String clipboard() {
    return (String) ((JavascriptExecutor) driver).executeAsyncScript(
      "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('ERROR ' + e));");
  }

  /** The first file to appear in the download folder (waits for Chromium to finish writing it). */
  public Path download() {
    wait(15).until(d -> {
      try (var files = Files.list(downloads)) {
        return files.anyMatch(p -> !p.toString().endsWith(".crdownload") && !p.getFileName().toString().startsWith("."));
      } catch (IOException e) {
        return false;
      }
    });
    try (var files = Files.list(downloads)) {
      return files.filter(p -> !p.toString().endsWith(".crdownload")).findFirst().orElseThrow();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The app's message {@code key} in this browser's language (webroot/i18n/<lang>.json), its placeholders filled
   * from name, value pairs; a message with plural forms takes the one for {@code n}.
   */
  public String t(String key, Object... params) {
    Map<String, String> values = new java.util.HashMap<>();
    for (int i = 0; i < params.length; i += 2) {
      values.put(String.valueOf(params[i]), String.valueOf(params[i + 1]));
    }
    JsonNode message = messages().get(key);
    if (message == null) {
      throw new IllegalArgumentException("no message " + key + " in " + language);
    }
    if (message.isObject()) {
      boolean one = language.equals("en") && "1".equals(values.get("n")) && message.has("one");
      message = message.get(one ? "one" : "other");
    }
    Matcher placeholder = PLACEHOLDER.matcher(message.asText());
    return placeholder.replaceAll(m -> Matcher.quoteReplacement(values.getOrDefault(m.group(1), m.group())));
  }

  /** The message {@code key} whatever its placeholders are filled with (one form, if it has plural forms). */
  public Pattern pattern(String key) {
    String[] parts = t(key).split("\\{\\w+}", -1);
    return Pattern.compile(java.util.Arrays.stream(parts).map(Pattern::quote).collect(Collectors.joining(".+?")));
  }

  /** Waits for the message {@code key} on the page, whatever its placeholders were filled with. */
  public void waitForMessage(String key) {
    Pattern pattern = pattern(key);
    wait(LOOKUP_SECONDS).until(d -> pattern.matcher(d.findElement(By.tagName("body")).getText()).find());
  }

  private JsonNode messages() {
    if (messages == null) {
      try {
        messages = new ObjectMapper().readTree(Path.of("webroot", "i18n", language + ".json").toFile());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return messages;
  }

  /**
   * Checks the current screen for sideways overflow at both widths, saving a screenshot at each, and with
   * axe-core (WCAG 2 A and AA rules) at {@link #AXE_WIDTH}; returns the serious and critical violations found,
   * and, in a browser that is not English, any English word left on the screen (names, keys, codes and email
   * addresses aside) and a wrong {@code <html lang>}.
   */
  public List<String> inspect(String screen) throws IOException {
    Path folder = SCREENSHOTS.resolve(language);
    Files.createDirectories(folder);
    List<String> problems = new ArrayList<>();
    for (int width : WIDTHS) {
      driver.manage().window().setSize(new Dimension(width, 900));
      long height = (Long) driver.executeScript("return Math.max(document.body.scrollHeight, 600)");
      driver.manage().window().setSize(new Dimension(width, (int) Math.min(height + 120, 4000)));
      // Written whole under its name in one step: classes running side by side may photograph screens of one name.
      Path shot = Files.createTempFile(folder, screen, ".part");
      Files.write(shot, driver.getScreenshotAs(OutputType.BYTES));
      Files.move(shot, folder.resolve(screen + "-" + width + ".png"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Object overflow = driver.executeScript("""
          const root = document.documentElement;
          if (root.scrollWidth <= root.clientWidth) return null;
          const wide = [...document.querySelectorAll('body *')].find(e => e.getBoundingClientRect().right > root.clientWidth + 1);
          return root.scrollWidth + ' > ' + root.clientWidth + (wide ? ' at ' + wide.tagName + '.' + wide.className : '');
          """);
      if (overflow != null) {
        problems.add(screen + "@" + width + ": overflows sideways, " + overflow);
      }
      if (width != AXE_WIDTH) {
        if (!language.equals("en")) {
          shortLines().forEach(line -> problems.add(screen + "@" + width + ": " + line));
        }
        continue;
      }
      Results results = axe().analyze(driver);
      for (Rule rule : results.getViolations()) {
        if ("serious".equals(rule.getImpact()) || "critical".equals(rule.getImpact())) {
          problems.add(screen + "@" + width + ": " + rule.getId() + " (" + rule.getImpact() + ") " + rule.getHelp()
            + " at " + rule.getNodes().stream().map(n -> String.valueOf(n.getTarget())).collect(Collectors.joining(", ")));
        }
      }
    }
    driver.manage().window().setSize(new Dimension(1280, 900));
    if (!language.equals("en")) {
      problems.addAll(englishLeft(screen));
    }
    return problems;
  }

  /**
   * Buttons, headings, setting names, badges and chips that wrap leaving a line of one or two characters
   * (「認証アプ／リ」): each as its lines joined by " / ". Lines are measured in the page, one Range per character.
   */
  @SuppressWarnings("unchecked")
  public List<String> shortLines() {
    return (List<String>) driver.executeScript("""
        const found = [];
        for (const element of document.querySelectorAll('button, .button, h1, h2, h3, dt, .chip, .badge, summary')) {
          if (!element.getClientRects().length) continue;
          const lines = [];
          const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.data.length; i++) {
              if (/\\s/.test(node.data[i])) continue;
              const range = document.createRange();
              range.setStart(node, i);
              range.setEnd(node, i + 1);
              const rect = range.getClientRects()[0];
              if (!rect || rect.width === 0) continue;
              const line = lines.find(l => Math.abs(l.top - rect.top) < rect.height / 2);
              if (line) line.text += node.data[i]; else lines.push({ top: rect.top, text: node.data[i] });
            }
          }
          if (lines.length > 1 && lines.some(l => [...l.text].length <= 2)) {
            found.push(element.tagName.toLowerCase() + ' "' + lines.sort((a, b) => a.top - b.top).map(l => l.text).join(' / ') + '"');
          }
        }
        return found;
        """);
  }

  /** The contrast of two CSS colours (WCAG relative luminance), both "rgb(...)" or "rgba(...)" from computed styles. */
  private static final String CONTRAST_JS = """
      const rgb = (c) => (c.match(/[\\d.]+/g) || ['0', '0', '0']).slice(0, 3).map(Number);
      const lum = (c) => { const [r, g, b] = rgb(c).map(v => v / 255)
        .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4)); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
      const opaque = (c) => c && c !== 'transparent' && !/rgba\\([^)]*,\\s*0\\)$/.test(c);
      const backgroundOf = (node) => { for (let n = node; n; n = n.parentElement) {
        const bg = getComputedStyle(n).backgroundColor; if (opaque(bg)) return bg; } return 'rgb(255, 255, 255)'; };
      """;

  /**
   * Tabs through every control of the page and measures each focus ring from computed styles: at least 2 px, and
   * at least 3:1 against the background it is drawn on (the parent's, since the ring sits outside the control).
   * Also each filter chip's border against its background. Returns what falls short.
   */
  @SuppressWarnings("unchecked")
  public List<String> focusRingProblems() {
    driver.executeScript("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);");
    List<String> problems = new ArrayList<>();
    java.util.Set<Object> seen = new java.util.HashSet<>();
    for (int i = 0; i < 80; i++) {
      new org.openqa.selenium.interactions.Actions(driver).sendKeys(org.openqa.selenium.Keys.TAB).perform();
      Map<String, Object> ring = (Map<String, Object>) driver.executeScript(CONTRAST_JS + """
          const e = document.activeElement;
          if (!e || e === document.body) return null;
          const s = getComputedStyle(e);
          const bg = backgroundOf(e.parentElement);
          const name = e.tagName.toLowerCase() + ' "' + (e.textContent || e.getAttribute('aria-label') || e.name || '').trim().slice(0, 40) + '"';
          return { key: name + e.getBoundingClientRect().top, name, style: s.outlineStyle, width: parseFloat(s.outlineWidth),
            ratio: contrast(s.outlineColor, bg), color: s.outlineColor, bg };
          """);
      if (ring == null || !seen.add(ring.get("key"))) {
        break;
      }
      double width = ((Number) ring.get("width")).doubleValue();
      double ratio = ((Number) ring.get("ratio")).doubleValue();
      if ("none".equals(ring.get("style")) || width < 2 || ratio < 3) {
        problems.add(ring.get("name") + ": focus ring " + ring.get("style") + " " + width + "px " + ring.get("color")
          + " on " + ring.get("bg") + " = " + String.format("%.2f", ratio) + ":1");
      }
    }
    problems.addAll((List<String>) driver.executeScript(CONTRAST_JS + """
        return [...document.querySelectorAll('.chip')].map(c => [c, contrast(getComputedStyle(c).borderTopColor, backgroundOf(c.parentElement))])
          .filter(([c, ratio]) => ratio < 3).map(([c, ratio]) => 'chip "' + c.textContent + '": border ' + ratio.toFixed(2) + ':1');
        """));
    return problems;
  }

  /**
   * axe-core with the WCAG 2.0/2.1 A and AA rules and best practices, run in the page itself (legacy mode: the
   * app has no iframes, so the default's extra about:blank window, where axe is injected again to merge the
   * frames' results, would cost a second a screen for nothing), returning the nodes of violations only.
   */
  private static AxeBuilder axe() {
    AxeRunOnlyOptions only = new AxeRunOnlyOptions();
    only.setType("tag");
    only.setValues(List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"));
    AxeRunOptions options = new AxeRunOptions();
    options.setRunOnly(only);
    options.setResultTypes(List.of("violations"));
    return new AxeBuilder().withOptions(options).setLegacyMode(true);
  }

  /** The scan {@link #inspect} runs in a browser that is not English: English words left, and the page's lang. */
  public List<String> englishLeft(String screen) {
    List<String> problems = new ArrayList<>();
    if (!language.equals(htmlLang())) {
      problems.add(screen + ": <html lang> is " + htmlLang() + ", not " + language);
    }
    String text = bodyText().replaceAll("[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+", "");
    // Codes and keys are not words. Whole ones only: four digits inside a recovery code are not a key's group.
    text = text.replaceAll("\\b[a-z2-9]{5} [a-z2-9]{5}\\b", "").replaceAll("\\b[A-Z2-7]{4}( [A-Z2-7]{1,4})*\\b", "");
    Matcher words = LATIN_WORD.matcher(text);
    while (words.find()) {
      if (!ALLOWED.matcher(words.group()).matches()) {
        problems.add(screen + ": English left: \"" + words.group() + "\" in " + text.replace('\n', ' '));
        break;
      }
    }
    return problems;
  }

  /** Console entries at warning level or above since the last call (CSP violations and script errors land here). */
  public List<String> drainConsole() {
    for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
      if (entry.getLevel().intValue() >= Level.WARNING.intValue()) {
        console.add(entry.getLevel() + " " + entry.getMessage());
      }
    }
    List<String> drained = new ArrayList<>(console);
    console.clear();
    return drained;
  }

  /** The console since the last drain, except the network lines for API refusals a test provoked (4xx answers). */
  public List<String> unexpectedConsoleEntries() {
    return drainConsole().stream()
      .filter(line -> !line.matches(".*/api/[^ ]* - Failed to load resource: the server responded with a status of 4\\d\\d.*"))
      .toList();
  }

  /**
   * The end of a walk: what {@link #inspect} found on its screens ({@code problems}: serious or critical axe
   * violations, overflow at 375 px, English left in another language) is nothing, and so is the console.
   */
  public void assertCleanWalk(List<String> problems) {
    assertEquals(List.of(), problems, "serious or critical accessibility violations, overflow, or English left");
    assertEquals(List.of(), unexpectedConsoleEntries(), "console errors or CSP violations");
  }

  /** Logs out from the account menu and waits for Log in. */
  public void logOut() {
    byAriaLabel(t("shell.accountMenu")).click();
    click(t("shell.logout"));
    waitForHeading(t("login.title"));
  }

  /** Renders the page as it would print (the print stylesheet applies). */
  public void emulatePrint(boolean print) {
    driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", print ? "print" : ""));
  }

  /** The page's language as the server rendered it and the app keeps it. */
  public String htmlLang() {
    return (String) driver.executeScript("return document.documentElement.lang");
  }

  /** The visible text of the whole page. */
  public String bodyText() {
    return driver.findElement(By.tagName("body")).getText();
  }

  /** Answers the open dialog (confirm or leave warning), waiting for it; returns its text. */
  public String answerDialog(boolean accept) {
    var alert = wait(LOOKUP_SECONDS).until(ExpectedConditions.alertIsPresent());
    String text = alert.getText();
    if (accept) alert.accept(); else alert.dismiss();
    return text;
  }

  /**
   * Waits for the screen headed {@code text} after a reload or a navigation that may first raise Chromium's own
   * "Leave site?" prompt (it does only when the page holds sticky user activation); the prompt, if it comes, is
   * answered with {@code accept}. Returns the prompt's text, or null when none came.
   */
  public String waitForHeadingPastLeavePrompt(String text, boolean accept) {
    String[] prompt = {null};
    wait(LOOKUP_SECONDS).until(d -> {
      try {
        var alert = d.switchTo().alert();
        prompt[0] = alert.getText();
        if (accept) alert.accept(); else alert.dismiss();
        return false;
      } catch (org.openqa.selenium.NoAlertPresentException none) {
        List<WebElement> headings = d.findElements(By.tagName("h1"));
        return !headings.isEmpty() && headings.get(0).getText().trim().equals(text);
      }
    });
    return prompt[0];
  }

  /** Lets the page's clock and timers run {@code by} ahead at once (Chromium's virtual time). */
  public void advanceTime(Duration by) {
    driver.executeCdpCommand("Emulation.setVirtualTimePolicy", Map.of("policy", "advance", "budget", by.toMillis()));
  }

  /** The value next to the name {@code name} in any of the page's settings lists ("2FA security" → "On"). */
  public String settingValue(String name) {
    return present(By.xpath("//dl[contains(concat(' ', @class, ' '), ' settings ')]//dt[normalize-space()="
      + quote(name) + "]/following-sibling::dd")).getText();
  }

  public void resize(int width) {
    driver.manage().window().setSize(new Dimension(width, 900));
  }

  /** The element that has the focus, as tag and text. */
  public String focused() {
    return (String) driver.executeScript("const e = document.activeElement; return e.tagName + ':' + (e.textContent || '').trim()");
  }

  public void back() {
    driver.navigate().back();
  }

  public void reload() {
    driver.navigate().refresh();
  }

  /** A wait that retries when the app redraws the element it was looking at. */
  public WebDriverWait wait(int seconds) {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds));
    wait.pollingEvery(POLL).ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    return wait;
  }

  @Override
  public void close() {
    driver.quit();
  }

  private static String quote(String text) {
    return text.contains("'") ? "\"" + text + "\"" : "'" + text + "'";
  }
}
