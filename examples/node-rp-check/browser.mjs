// A browser as far as twofa's JSON API needs one: a cookie jar, and the XSRF-TOKEN cookie echoed as X-XSRF-TOKEN.
import * as OTPAuth from 'otpauth';

export class Browser {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
  }

  async request(pathOrUrl, { method = 'GET', body, form } = {}) {
    const url = new URL(pathOrUrl, this.base);
    if (method !== 'GET' && !form && !this.xsrf()) await this.request('/api/session');
    const headers = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    } else if (method !== 'GET') {
      body = body === undefined ? undefined : JSON.stringify(body);
      headers['x-xsrf-token'] = this.xsrf();
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(url, { method, headers, redirect: 'manual', body });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const expired = attributes.some(a => /^\s*max-age=0\s*$/i.test(a)) || pair.slice(at + 1) === '';
      if (expired) this.cookies.delete(name); else this.cookies.set(name, pair.slice(at + 1));
    }
    const text = await res.text();
    return { status: res.status, location: res.headers.get('location'), text, json: () => JSON.parse(text) };
  }

  xsrf() {
    return this.cookies.get('XSRF-TOKEN') ?? this.cookies.get('__Host-XSRF-TOKEN');
  }

  post(path, body) {
    return this.request(path, { method: 'POST', body });
  }
}

export function totp(secret) {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
}

/** A code from a time step after `after` (twofa refuses a step already used), waiting for the next step if needed. */
export async function freshCode(secret, after) {
  const generator = totp(secret);
  for (;;) {
    const step = Math.floor(Date.now() / 30000);
    if (step > after) return { code: generator.generate(), step };
    await new Promise(resolve => setTimeout(resolve, (step + 1) * 30000 - Date.now() + 50));
  }
}
