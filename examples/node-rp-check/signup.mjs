// Signs up TWOFA_EMAIL with TWOFA_PASSWORD and enables 2FA over the JSON API; prints {"secret","step"} for check.mjs.
import { Browser, freshCode } from './browser.mjs';

const browser = new Browser(process.env.TWOFA_URL);
const signup = await browser.post('/api/signup', { email: process.env.TWOFA_EMAIL, password: process.env.TWOFA_PASSWORD });
if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${signup.text}`);
const setup = await browser.post('/api/2fa/setup');
if (setup.status !== 200) throw new Error(`2fa setup: ${setup.status} ${setup.text}`);
const secret = setup.json().secret;
const { code, step } = await freshCode(secret, 0);
const enable = await browser.post('/api/2fa/enable', { code });
if (enable.status !== 200) throw new Error(`2fa enable: ${enable.status} ${enable.text}`);
console.log(JSON.stringify({ secret, step }));
