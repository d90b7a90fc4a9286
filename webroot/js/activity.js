// Activity entries in words: what happened, from which browser and system.

const EVENT_WORDS = {
  'signup': 'Account created',
  'login.password': 'Login: password',
  'login.totp': 'Login: authenticator app code',
  'login.recovery_code': 'Login: recovery code',
  'logout': 'Logged out',
  '2fa.enabled': '2FA turned on',
  '2fa.disabled': '2FA turned off',
  'recovery_codes.regenerated': 'New recovery codes generated',
  'password.changed': 'Password changed',
  'session.revoked': 'A session was logged out',
  'sessions.revoked_others': 'All other sessions were logged out',
  'support.granted': 'Support role granted',
  'support.revoked': 'Support role removed',
};

/** The event in words; support actions say who acted ("the support desk" for the user, the staff email for staff). */
export function describeEvent(event) {
  const words = EVENT_WORDS[event.type] || event.type;
  if (!event.actor) return words;
  return words + ' by ' + (event.actor === 'support' ? 'the support desk' : event.actor);
}

/** "Chrome on Windows" from a user-agent string; order matters (Edge and Opera also say Chrome). */
export function describeUserAgent(ua) {
  if (!ua) return 'Unknown browser';
  const browsers = [[/Edg\//, 'Edge'], [/OPR\//, 'Opera'], [/Firefox\//, 'Firefox'], [/Chrom(e|ium)\//, 'Chrome'],
    [/Safari\//, 'Safari'], [/curl\//, 'curl']];
  const systems = [[/Android/, 'Android'], [/iPhone|iPad|iPod/, 'iOS'], [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'macOS'], [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux']];
  const browser = (browsers.find(([re]) => re.test(ua)) || [null, 'Unknown browser'])[1];
  const system = (systems.find(([re]) => re.test(ua)) || [null, null])[1];
  return system ? browser + ' on ' + system : browser;
}

export function formatTime(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
