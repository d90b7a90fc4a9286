// An independent relying party (panva's openid-client, Node) run against a running twofa: one PASS/FAIL line per
// step, exit code 1 on any failure. The login screens are driven over twofa's JSON API, as its browser app does.
// Env: TWOFA_URL (the issuer), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI,
// TWOFA_EMAIL, TWOFA_PASSWORD, TWOFA_TOTP_SECRET, TWOFA_TOTP_STEP (the last time step already used), and
// BACKCHANNEL_PORT: the client's back-channel logout URI is http://127.0.0.1:BACKCHANNEL_PORT/backchannel-logout.
import * as client from 'openid-client';
import * as jose from 'jose';
import { createServer } from 'node:http';
import { Browser, freshCode } from './browser.mjs';

const env = name => process.env[name] ?? (() => { throw new Error(`${name} is not set`); })();
const issuer = env('TWOFA_URL');
const redirectUri = env('REDIRECT_URI');
const postLogout = env('POST_LOGOUT_REDIRECT_URI');
const insecure = issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : {};
let failures = 0;

async function step(name, body) {
  try {
    const detail = await body();
    console.log(`PASS ${name}${detail ? ` (${detail})` : ''}`);
    return true;
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e.error ?? ''} ${e.error_description ?? ''} ${e.message} ${e.cause ? JSON.stringify(e.cause) : ''}`.trim());
    return false;
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function expectError(promise, code) {
  try {
    await promise;
  } catch (e) {
    check(e.error === code, `expected ${code}, got ${e.error ?? e.message}`);
    return code;
  }
  throw new Error(`expected ${code}, got a success`);
}

/** One authorization request's secrets and its URL (code flow, PKCE S256, state, nonce). */
async function attempt(config, extra = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const a = { verifier, state: client.randomState(), nonce: client.randomNonce() };
  a.url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: 'openid email offline_access', state: a.state, nonce: a.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  return a;
}

const exchange = (config, a, callback) => client.authorizationCodeGrant(config, new URL(callback),
  { pkceCodeVerifier: a.verifier, expectedState: a.state, expectedNonce: a.nonce, idTokenExpected: true });

const browser = new Browser(issuer);

// The application's back-channel logout endpoint: keeps every logout_token POSTed to it (OIDC Back-Channel Logout 2.5).
const logoutTokens = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', chunk => { body += chunk; });
  req.on('end', () => {
    logoutTokens.push({ type: req.headers['content-type'], token: new URLSearchParams(body).get('logout_token') });
    res.writeHead(200, { 'cache-control': 'no-store' }).end();
  });
});
await new Promise(resolve => receiver.listen(Number(env('BACKCHANNEL_PORT')), '127.0.0.1', resolve));

/** The first logout token for `sid`, waiting for its delivery (the outbox sends it after the logout's commit). */
async function logoutTokenFor(sid, jwks) {
  for (let waited = 0; waited < 30000; waited += 100) {
    for (const received of logoutTokens) {
      const { payload, protectedHeader } = await jose.jwtVerify(received.token, jwks,
        { issuer, audience: env('CLIENT_ID'), typ: 'logout+jwt' });
      if (payload.sid === sid) return { ...received, payload, protectedHeader };
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(`no logout token for sid ${sid} within 30 s (${logoutTokens.length} received)`);
}
let basic, post, first, callback, tokens, claims, refreshed;

await step('discovery (issuer, endpoints, S256, RFC 9207 iss)', async () => {
  basic = await client.discovery(new URL(issuer), env('CLIENT_ID'), env('CLIENT_SECRET'),
    client.ClientSecretBasic(env('CLIENT_SECRET')), insecure);
  post = await client.discovery(new URL(issuer), env('CLIENT_ID'), env('CLIENT_SECRET'),
    client.ClientSecretPost(env('CLIENT_SECRET')), insecure);
  const m = basic.serverMetadata();
  check(m.issuer === issuer, `issuer ${m.issuer}`);
  check(m.code_challenge_methods_supported?.includes('S256'), 'S256 not offered');
  check(m.authorization_response_iss_parameter_supported === true, 'no RFC 9207 iss');
  for (const e of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint',
    'introspection_endpoint', 'revocation_endpoint']) check(m[e], `no ${e}`);
  return m.issuer;
});

await step('authorization request without a session goes to the login screen', async () => {
  first = await attempt(basic);
  const res = await browser.request(first.url);
  check(res.status === 302 && /^\/login\?authorization=/.test(res.location), `${res.status} ${res.location}`);
  first.id = new URL(res.location, issuer).searchParams.get('authorization');
  return res.location.replace(/=.*/, '=…');
});

await step('login: password, then the authenticator app code', async () => {
  const login = await browser.post('/api/login', { email: env('TWOFA_EMAIL'), password: env('TWOFA_PASSWORD') });
  check(login.status === 200 && login.json().state === 'pending_2fa', `login ${login.status} ${login.text}`);
  const { code } = await freshCode(env('TWOFA_TOTP_SECRET'), Number(env('TWOFA_TOTP_STEP')));
  const totp = await browser.post('/api/login/totp', { code });
  check(totp.status === 200, `totp ${totp.status} ${totp.text}`);
});

await step('the authorization resumes and redirects with code, state and iss', async () => {
  const res = await browser.request(`/authorize/resume?authorization=${first.id}`);
  check(res.status === 302 && res.location?.startsWith(redirectUri + '?'), `${res.status} ${res.location}`);
  callback = res.location;
  const params = new URL(callback).searchParams;
  check(params.get('iss') === issuer, `iss ${params.get('iss')}`);
});

await step('code exchange (client_secret_basic, PKCE) and ID token validation', async () => {
  tokens = await exchange(basic, first, callback);
  claims = tokens.claims();
  check(tokens.token_type.toLowerCase() === 'bearer', tokens.token_type);
  check(tokens.refresh_token, 'no refresh token for offline_access');
  return `sub ${claims.sub}, expires_in ${tokens.expires_in}`;
});

await step('ID token claims: amr, acr, auth_time, sid, email', async () => {
  check(JSON.stringify(claims.amr) === '["pwd","otp","mfa"]', `amr ${JSON.stringify(claims.amr)}`);
  check(claims.acr === '2', `acr ${claims.acr}`);
  check(typeof claims.auth_time === 'number' && claims.sid, 'auth_time or sid missing');
  check(claims.email === env('TWOFA_EMAIL') && claims.sub !== claims.email, `email ${claims.email}`);
  return `amr ${claims.amr.join(',')}, acr ${claims.acr}`;
});

await step('userinfo', async () => {
  const info = await client.fetchUserInfo(basic, tokens.access_token, claims.sub);
  check(info.email === env('TWOFA_EMAIL'), `email ${info.email}`);
  return `sub ${info.sub}`;
});

await step('introspection of the access token', async () => {
  const i = await client.tokenIntrospection(basic, tokens.access_token);
  check(i.active === true && i.sub === claims.sub && i.client_id === env('CLIENT_ID'), JSON.stringify(i));
  return `active, scope ${i.scope}`;
});

await step('refresh (offline_access) rotates the refresh token', async () => {
  refreshed = await client.refreshTokenGrant(basic, tokens.refresh_token);
  check(refreshed.access_token && refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token,
    'no new refresh token');
  if (refreshed.id_token) check(refreshed.claims().sub === claims.sub, 'another sub after refresh');
  return refreshed.id_token ? 'with a new ID token' : 'no ID token';
});

await step('revocation of the access token (RFC 7009), then introspection says inactive', async () => {
  await client.tokenRevocation(basic, refreshed.access_token);
  const i = await client.tokenIntrospection(basic, refreshed.access_token);
  check(i.active === false, JSON.stringify(i));
});

await step('revocation of the refresh token, then refreshing is refused', async () => {
  await client.tokenRevocation(basic, refreshed.refresh_token);
  return expectError(client.refreshTokenGrant(basic, refreshed.refresh_token), 'invalid_grant');
});

let sso;
await step('single sign-on with prompt=none, exchanged with client_secret_post', async () => {
  const a = await attempt(post, { prompt: 'none' });
  const res = await browser.request(a.url);
  check(res.status === 302 && res.location?.startsWith(redirectUri + '?'), `${res.status} ${res.location}`);
  sso = await exchange(post, a, res.location);
  sso.callback = res.location;
  sso.attempt = a;
  check(sso.claims().sid === claims.sid, 'another session');
});

/** With the session the browser holds: the authorization request `a` (sent by `method`) comes back with a code. */
async function codeAtOnce(config, a, method = 'GET') {
  const res = method === 'GET' ? await browser.request(a.url)
    : await browser.request(a.url.origin + a.url.pathname, { method: 'POST', form: Object.fromEntries(a.url.searchParams) });
  check(res.status === 302 && res.location?.startsWith(redirectUri + '?'), `${res.status} ${res.location}`);
  return exchange(config, a, res.location);
}

await step('authorization request by POST (Core 3.1.2.1; oidcc-ensure-post-request-succeeds)',
  async () => { await codeAtOnce(basic, await attempt(basic), 'POST'); });

await step('request without nonce (oidcc-ensure-request-without-nonce-succeeds-for-code-flow)', async () => {
  const a = await attempt(basic, { nonce: '' });
  a.url.searchParams.delete('nonce');
  a.nonce = undefined;
  const t = await codeAtOnce(basic, a);
  check(t.claims().nonce === undefined, 'a nonce nobody sent');
});

await step('unknown parameter, other scope order, display, ui_locales, claims_locales, login_hint, acr_values, max_age=10000',
  async () => {
    const a = await attempt(basic, { scope: 'email openid', display: 'popup', ui_locales: 'ja en', claims_locales: 'ja',
      login_hint: env('TWOFA_EMAIL'), acr_values: '1 2', max_age: '10000', extra: 'foobar' });
    const t = await codeAtOnce(basic, a);
    check(t.claims().auth_time === claims.auth_time, 'max_age=10000 asked for a new login');
  });

let hinted;
await step('prompt=none with id_token_hint (oidcc-id-token-hint)',
  async () => { hinted = await codeAtOnce(basic, await attempt(basic, { prompt: 'none', id_token_hint: tokens.id_token })); });

await step('userinfo by POST with the Authorization header (oidcc-userinfo-post-header)', async () => {
  const res = await client.fetchProtectedResource(basic, hinted.access_token, new URL(basic.serverMetadata().userinfo_endpoint), 'POST');
  check(res.status === 200 && (await res.json()).sub === claims.sub, `${res.status}`);
});

await step('userinfo with the token in a form body (RFC 6750 2.2; oidcc-userinfo-post-body)', async () => {
  const res = await fetch(basic.serverMetadata().userinfo_endpoint, { method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: hinted.access_token }) });
  const text = await res.text();
  check(res.status === 200 && JSON.parse(text).sub === claims.sub, `${res.status} ${text}`);
});

await step('scopes twofa does not offer (profile address phone) are ignored (RFC 6749 3.3; oidcc-scope-all)', async () => {
  const t = await codeAtOnce(basic, await attempt(basic, { scope: 'openid profile email address phone' }));
  check(!t.scope?.includes('profile'), `granted ${t.scope}`);
  return `granted ${t.scope}`;
});

await step('claims parameter ignored (claims_parameter_supported false; oidcc-claims-essential)', async () => {
  await codeAtOnce(basic, await attempt(basic, { claims: JSON.stringify({ userinfo: { name: { essential: true } } }) }));
});

for (const [parameter, code] of [['request', 'request_not_supported'], ['request_uri', 'request_uri_not_supported']]) {
  await step(`${parameter} rejected as ${code} (oidcc-${parameter.replace('_', '-')}-unsigned…RejectedAsUnsupported)`, async () => {
    const a = await attempt(basic, { [parameter]: parameter === 'request' ? 'eyJhbGciOiJub25lIn0.e30.' : 'https://rp.example/request.jwt' });
    const res = await browser.request(a.url);
    check(res.status === 302 && res.location?.startsWith(redirectUri + '?'), `${res.status} ${res.location}`);
    return expectError(exchange(basic, a, res.location), code);
  });
}

await step('response_type missing: invalid_request to the redirect URI (oidcc-response-type-missing)', async () => {
  const a = await attempt(basic);
  a.url.searchParams.delete('response_type');
  const res = await browser.request(a.url);
  check(res.status === 302 && res.location?.startsWith(redirectUri + '?'), `${res.status} ${res.location}`);
  return expectError(exchange(basic, a, res.location), 'invalid_request');
});

await step('the code is single use; its second use revokes the tokens issued from it', async () => {
  await expectError(exchange(post, sso.attempt, sso.callback), 'invalid_grant');
  const i = await client.tokenIntrospection(post, sso.access_token);
  check(i.active === false, `still active: ${JSON.stringify(i)}`);
  return 'invalid_grant, access token inactive';
});

await step('RP-initiated logout URL (buildEndSessionUrl) ends the session and returns with state', async () => {
  const state = client.randomState();
  const url = client.buildEndSessionUrl(basic, { id_token_hint: sso.id_token, post_logout_redirect_uri: postLogout, state });
  const res = await browser.request(url);
  check(res.status === 302 && res.location === `${postLogout}?state=${state}`, `${res.status} ${res.location}`);
  const again = await attempt(basic, { prompt: 'none' });
  const back = await browser.request(again.url);
  return expectError(exchange(basic, again, back.location ?? 'http://invalid/'), 'login_required');
});

await step('back-channel logout token: signed, typ logout+jwt, event, sub and sid of the session, no nonce', async () => {
  const jwks = jose.createRemoteJWKSet(new URL(basic.serverMetadata().jwks_uri));
  const { type, payload, protectedHeader } = await logoutTokenFor(claims.sid, jwks);
  check(type?.startsWith('application/x-www-form-urlencoded'), `content-type ${type}`);
  check(payload.events?.['http://schemas.openid.net/event/backchannel-logout'] !== undefined, 'no back-channel event');
  check(payload.sub === claims.sub && payload.jti && payload.iat && payload.nonce === undefined, JSON.stringify(payload));
  return `${protectedHeader.alg}, kid ${protectedHeader.kid}`;
});

receiver.close();
console.log(failures === 0 ? 'ALL PASS' : `${failures} FAILED`);
process.exit(failures === 0 ? 0 : 1);
