// A real OpenID Connect provider for the tests (the certified `oidc-provider` package), on loopback.
// Configured by the environment: PORT, REDIRECT_URIS (comma-separated), JWKS (private signing keys),
// ACCOUNTS ({"<account id>": {claims}}). Its development sign-in page accepts any account id listed in
// ACCOUNTS, with any password; consent is pre-granted for the firm's own client, as an IdP admin does.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');
const redirectUris = (process.env.REDIRECT_URIS || '').split(',').filter(Boolean);

const configuration = {
  clients: [
    {
      client_id: 'keyline',
      client_secret: 'keyline-test-secret',
      redirect_uris: redirectUris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  jwks: JSON.parse(process.env.JWKS),
  cookies: { keys: ['keyline-test-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile groups');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'groups']);
    await grant.save();
    return grant;
  },
};

const provider = new Provider(`http://127.0.0.1:${port}`, configuration);
provider.listen(port, '127.0.0.1', () => { console.log(`ready ${port}`); });
