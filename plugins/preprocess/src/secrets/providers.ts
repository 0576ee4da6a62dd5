/**
 * Provider rules beyond the hand-tuned table in rules.ts: one rule per credential of every provider
 * in gitleaks' default configuration, written from each provider's documented token format. Two
 * shapes cover them:
 *
 * - `token`: the credential carries its own prefix (`sgp_`, `dp.pt.`, `EZAK`), so the value alone is
 *   enough; bounded on both sides so a longer run of the same alphabet is not a match.
 * - `named`: the credential is a bare random string (32 hex, a UUID, 24 alphanumerics), so it counts
 *   only where the name it is assigned to names the provider (`SNYK_TOKEN = "…"`, `"asana_secret":`,
 *   `<lobApiKey>…</lobApiKey>`, `var plaidSecret string = …`, `System.setProperty("FASTLY_TOKEN", …)`).
 *
 * Every description names the key and where to revoke it.
 */
import { shannonEntropy } from './entropy.js';
import { isPlaceholder } from './generic.js';
import type { MatchContext, SecretRule } from './types.js';

const re = (source: string, flags = ''): RegExp => new RegExp(source, `gd${flags}`);

/** `snyk` → `[sS][nN][yY][kK]`: letters outside classes and escapes match either case. */
function anyCase(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += pattern.slice(i, i + 2);
      i++;
    } else if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
    } else if (ch === '?' && pattern[i - 1] === '(') {
      // `(?:` / `(?<name>`: copy the group syntax as it is
      const end = pattern.slice(i).search(/[:>]/);
      out += pattern.slice(i, i + end + 1);
      i += end;
    } else if (/[a-z]/i.test(ch)) out += `[${ch.toLowerCase()}${ch.toUpperCase()}]`;
    else out += ch;
  }
  return out;
}

/** Where a value ends: a quote, space, separator, closing bracket, an escaped newline or the text. */
const VALUE_END = String.raw`(?=[\x60'"\s;,)\]}<>&|]|\\[nrt]|$)`;
/**
 * After the provider's word: the rest of the name, an optional type (`: str`, ` string`), closing
 * quotes or a tag, the operator of an assignment, a key/value pair, a call argument or an XML element.
 */
const ASSIGN = String.raw`[\w.\-]{0,30}(?:\s*:\s*[A-Za-z_][\w.\[\]]{0,20}(?=\s*=)|[ \t]+[A-Za-z_][\w]{0,12}(?=\s*=))?[\s'"\x60\]]{0,3}(?:=>|:{1,3}=|\?=|\.=|\+=|\|\|=?|[=:>,])(?:\(\s*|\\\r?\n\s*)?[\x60'"\s=]{0,5}(?:[rRbBuU](?=['"]))?['"]?`;

/**
 * The provider may name a section rather than the key: `heroku:` with `api_key:` among the next few
 * YAML lines, or `"heroku": {"api_key": …}` in JSON.
 */
const PARENT = String.raw`(?:[\w.\-]{0,30}["']?\s*:\s*\{\s*["']?[\w.\-]{1,40}|[\w.\-]{0,30}:[ \t]*\r?\n(?:[ \t]+[^\n]*\r?\n){0,3}?[ \t]+[\w.\-]{1,40})?`;

/** No placeholder (`xxxx`, `<your-key>`, `${VAR}`, one character), and the rule's own check. */
function checked(validate?: (context: MatchContext) => boolean): (context: MatchContext) => boolean {
  return (context) => !isPlaceholder(context.secret) && (validate === undefined || validate(context));
}

interface Options {
  entropy?: number;
  /** Keywords; default: the lower-case literal of each name. */
  keywords?: string[];
  /** Extra check on the match. */
  validate?: (context: MatchContext) => boolean;
  flags?: string;
  /** The names are written with their case (`[Ee]tsy|ETSY`): `SetSysctl` must not read as `etsy`. */
  exactCase?: boolean;
}

/** A rule's description: the key, and where to revoke it. */
export function withRevoke(what: string, revoke: string): string {
  return `${what} (revoke: ${revoke})`;
}

/** A credential that is only a secret next to a name that names its provider. */
function named(
  id: string,
  what: string,
  revoke: string,
  names: string[],
  value: string,
  options: Options = {},
): SecretRule {
  const keywords =
    options.keywords ?? names.map((name) => name.replace(/\[[^\]]*\]\??|\(\?:|[()?|\\]/g, '').toLowerCase());
  return {
    id,
    description: withRevoke(what, revoke),
    regex: re(
      `(?:${names.map((name) => (options.exactCase ? name : anyCase(name))).join('|')})${PARENT}${ASSIGN}(${value})${VALUE_END}`,
      options.flags,
    ),
    secretGroup: 1,
    keywords,
    entropy: options.entropy ?? 2.5,
    // The name already says whose key it is: a value like `12345678-ABCD-…` assigned to SNYK_TOKEN counts.
    allowSequential: true,
    validate: checked(options.validate),
  };
}

/** A credential whose own prefix names it. */
function token(
  id: string,
  what: string,
  revoke: string,
  pattern: string,
  keywords: string[],
  options: Options = {},
): SecretRule {
  return {
    id,
    description: withRevoke(what, revoke),
    regex: re(`(?<![A-Za-z0-9_\\-+/.])(${pattern})(?![A-Za-z0-9_\\-])`, options.flags),
    keywords,
    ...(options.entropy === undefined ? {} : { entropy: options.entropy }),
    validate: checked(options.validate),
  };
}

/** `user:password` of `curl -u`: the password (or a lone user part) is real, not a template or a default. */
function curlCredentialIsReal(context: MatchContext): boolean {
  const pair = context.secret.replace(/^["']|["']$/g, '');
  const colon = pair.indexOf(':');
  const user = pair.slice(0, colon).replace(/^["']|["']$/g, '');
  const password = pair.slice(colon + 1).replace(/^["']|["']$/g, '') || user;
  if (/\$[({A-Za-z_0-9]|\{\{|^[[<({]|^\*+$/.test(password)) return false;
  if (password === user && !pair.endsWith(':')) return false;
  if (password.length < 6 || isPlaceholder(password)) return false;
  return shannonEntropy(password) >= 2.5;
}

/** A header value that is a credential, not a variable, a template or a placeholder. */
function headerValueIsReal(context: MatchContext): boolean {
  const value = context.secret;
  if (isPlaceholder(value) || /^[$<{*]|\$\(|\$\{/.test(value)) return false;
  return /[0-9]/.test(value) && shannonEntropy(value) >= 3;
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const AN = (n: number | string): string => `[A-Za-z0-9]{${n}}`;
const HEX = (n: number | string): string => `[a-fA-F0-9]{${n}}`;

export const PROVIDER_RULES: SecretRule[] = [
  // --- password managers, identity and secrets stores ---
  token(
    '1password-service-account-token',
    '1Password service-account token',
    '1Password › Developer › Service Accounts',
    'ops_eyJ[A-Za-z0-9+/]{250,}={0,3}',
    ['ops_eyj'],
    { entropy: 4 },
  ),
  token(
    '1password-secret-key',
    '1Password account Secret Key',
    '1Password › account settings › regenerate Secret Key',
    'A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}',
    ['a3-'],
    { entropy: 3.8 },
  ),
  token(
    'doppler-api-token',
    'Doppler service token',
    'Doppler dashboard › Access',
    'dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}',
    ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.'],
  ),
  token(
    'authress-service-client-access-key',
    'Authress service client access key',
    'Authress › Service clients',
    '(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\\.[A-Za-z0-9]{4,6}\\.acc[_-][A-Za-z0-9-]{10,32}\\.[A-Za-z0-9+/_=-]{30,120}',
    ['sc_', 'ext_', 'scauth_', 'authress_'],
    { entropy: 2 },
  ),
  named(
    'okta-access-token',
    'Okta API token',
    'Okta Admin › Security › API › Tokens',
    ['(?<![a-z])[Oo]kta|OKTA'],
    '00[\\w=\\-]{40}',
    { entropy: 4, keywords: ['okta'], exactCase: true },
  ),
  token(
    'vault-service-token-legacy',
    'HashiCorp Vault service token (legacy s. form)',
    'vault token revoke',
    's\\.[A-Za-z0-9]{24}',
    ['vault'],
    {
      entropy: 3.5,
      validate: (c) => /[A-Z]/.test(c.secret) && /[a-z]/.test(c.secret) && /[0-9]/.test(c.secret),
    },
  ),
  named(
    'hashicorp-tf-password',
    'Password in a Terraform file',
    'rotate the database or VM password',
    ['administrator_login_password'],
    '[A-Za-z0-9=_\\-!@#$%^&*]{8,20}',
    { entropy: 3 },
  ),
  // --- cloud ---
  token(
    'aws-bedrock-api-key-long-lived',
    'Amazon Bedrock long-term API key',
    'AWS IAM › Users › Bedrock API keys',
    'ABSK[A-Za-z0-9+/]{109,269}={0,2}',
    ['absk'],
    { entropy: 3 },
  ),
  token(
    'aws-bedrock-api-key-short-lived',
    'Amazon Bedrock short-term API key',
    'expires by itself; revoke the IAM session',
    'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%&_-]*',
    ['bedrock-api-key-'],
    { entropy: 3 },
  ),
  named(
    'alibaba-secret-key',
    'Alibaba Cloud AccessKey secret',
    'Alibaba Cloud RAM console › AccessKey',
    ['alibaba'],
    AN(30),
    { entropy: 2 },
  ),
  named(
    'cloudflare-global-api-key',
    'Cloudflare global API key',
    'Cloudflare › My Profile › API Tokens › Global API Key › Change',
    ['cloudflare'],
    HEX(37),
    { entropy: 2 },
  ),
  named(
    'cloudflare-api-key',
    'Cloudflare API token',
    'Cloudflare › My Profile › API Tokens',
    ['cloudflare'],
    '[A-Za-z0-9_-]{40}',
    { entropy: 2 },
  ),
  token(
    'cloudflare-origin-ca-key',
    'Cloudflare Origin CA key',
    'Cloudflare › My Profile › API Tokens › Origin CA Key',
    `v1\\.0-${HEX(24)}-${HEX(146)}`,
    ['v1.0-'],
  ),
  named(
    'yandex-aws-access-token',
    'Yandex Cloud static access key',
    'Yandex Cloud console › service account › keys',
    ['yandex'],
    'YC[A-Za-z0-9_\\-]{38}',
  ),
  named(
    'yandex-api-key',
    'Yandex Cloud API key',
    'Yandex Cloud console › service account › keys',
    ['yandex'],
    'AQVN[A-Za-z0-9_\\-]{35,38}',
  ),
  named(
    'yandex-access-token',
    'Yandex Cloud IAM token',
    'expires in 12 hours; revoke the account key that made it',
    ['yandex'],
    't1\\.[A-Za-z0-9_-]+=*\\.[A-Za-z0-9_-]{86}={0,2}',
  ),
  token(
    'flyio-access-token',
    'Fly.io access token',
    'fly tokens revoke',
    '(?:fo1_[\\w-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,}={0,3}|fm2_[A-Za-z0-9+/]{100,}={0,3})',
    ['fo1_', 'fm1a_', 'fm1r_', 'fm2_'],
    { entropy: 4 },
  ),
  named(
    'netlify-access-token',
    'Netlify personal access token',
    'Netlify › User settings › Applications',
    ['netlify'],
    '[A-Za-z0-9=_\\-]{40,46}',
  ),
  token('scalingo-api-token', 'Scalingo API token', 'Scalingo dashboard › Profile › API tokens', 'tk-us-[\\w-]{48}', [
    'tk-us-',
  ]),
  token('pulumi-api-token', 'Pulumi access token', 'Pulumi Cloud › Settings › Access tokens', `pul-${HEX(40)}`, [
    'pul-',
  ]),
  token(
    'planetscale-password',
    'PlanetScale database password',
    'PlanetScale › database › Passwords',
    'pscale_pw_[\\w=.\\-]{32,64}',
    ['pscale_pw_'],
    { entropy: 3 },
  ),
  token(
    'planetscale-api-token',
    'PlanetScale service token',
    'PlanetScale › Organization › Service tokens',
    'pscale_tkn_[\\w=.\\-]{32,64}',
    ['pscale_tkn_'],
    { entropy: 3 },
  ),
  token(
    'planetscale-oauth-token',
    'PlanetScale OAuth token',
    'PlanetScale › Organization › OAuth applications',
    'pscale_oauth_[\\w=.\\-]{32,64}',
    ['pscale_oauth_'],
    { entropy: 3 },
  ),
  token(
    'clickhouse-cloud-api-secret-key',
    'ClickHouse Cloud API secret',
    'ClickHouse Cloud › Organization › API keys',
    '4b1d[A-Za-z0-9]{38}',
    ['4b1d'],
    { entropy: 3 },
  ),
  named('confluent-access-token', 'Confluent Cloud API key', 'Confluent Cloud › API keys', ['confluent'], AN(16)),
  named('confluent-secret-key', 'Confluent Cloud API secret', 'Confluent Cloud › API keys', ['confluent'], AN(64)),
  token(
    'openshift-user-token',
    'OpenShift user token',
    'oc delete oauthaccesstoken',
    'sha256~[\\w-]{43}',
    ['sha256~'],
    { entropy: 3.5 },
  ),
  token(
    'defined-networking-api-token',
    'Defined Networking API token',
    'Defined Networking admin panel › API keys',
    'dnkey-[A-Za-z0-9=_\\-]{26}-[A-Za-z0-9=_\\-]{52}',
    ['dnkey'],
  ),
  // --- source control, packages, CI and artifact stores ---
  token(
    'gitlab-feature-flag-client-token',
    'GitLab feature-flag client token',
    'GitLab › Deploy › Feature flags › Configure › reset',
    'glffct-[0-9A-Za-z_\\-]{20}',
    ['glffct-'],
    { entropy: 3 },
  ),
  token(
    'gitlab-feed-token',
    'GitLab feed token',
    'GitLab › Preferences › Access tokens › reset feed token',
    'glft-[0-9A-Za-z_\\-]{20}',
    ['glft-'],
    { entropy: 3 },
  ),
  token(
    'gitlab-incoming-mail-token',
    'GitLab incoming e-mail token',
    'GitLab › Preferences › Access tokens › reset incoming e-mail token',
    'glimt-[0-9A-Za-z_\\-]{25}',
    ['glimt-'],
    { entropy: 3 },
  ),
  token(
    'gitlab-kubernetes-agent-token',
    'GitLab Kubernetes agent token',
    'GitLab › Operate › Kubernetes clusters › revoke token',
    'glagent-[0-9A-Za-z_\\-]{50}',
    ['glagent-'],
    { entropy: 3 },
  ),
  token(
    'gitlab-oauth-app-secret',
    'GitLab OAuth application secret',
    'GitLab › Applications › renew secret',
    'gloas-[0-9A-Za-z_\\-]{64}',
    ['gloas-'],
    { entropy: 3 },
  ),
  token(
    'gitlab-scim-token',
    'GitLab SCIM token',
    'GitLab › group › Settings › SAML SSO › reset SCIM token',
    'glsoat-[0-9A-Za-z_\\-]{20}',
    ['glsoat-'],
    { entropy: 3 },
  ),
  {
    id: 'gitlab-session-cookie',
    description: withRevoke('GitLab session cookie', 'sign out of GitLab everywhere (Active sessions › revoke)'),
    regex: re('_gitlab_session=([0-9a-z]{32})(?![0-9a-z])'),
    keywords: ['_gitlab_session='],
    entropy: 3,
  },
  named(
    'bitbucket-client-id',
    'Bitbucket OAuth consumer key',
    'Bitbucket › Workspace settings › OAuth consumers',
    ['bitbucket'],
    AN(32),
  ),
  named(
    'bitbucket-client-secret',
    'Bitbucket OAuth consumer secret',
    'Bitbucket › Workspace settings › OAuth consumers',
    ['bitbucket'],
    '[A-Za-z0-9=_\\-]{64}',
  ),
  named('codecov-access-token', 'Codecov access token', 'Codecov › Settings › Access', ['codecov'], AN(32)),
  named(
    'droneci-access-token',
    'Drone CI personal token',
    'Drone › Account settings › reset token',
    ['droneci', 'drone_ci', 'drone_token'],
    AN(32),
  ),
  named(
    'travisci-access-token',
    'Travis CI API token',
    'Travis CI › Settings › API authentication › regenerate',
    ['travis'],
    AN(22),
  ),
  named(
    'jfrog-identity-token',
    'JFrog identity token',
    'JFrog Platform › User profile › Identity tokens',
    ['jfrog', 'artifactory', 'bintray', 'xray'],
    AN(64),
  ),
  named(
    'jfrog-api-key',
    'JFrog API key',
    'JFrog Platform › User profile › API key › revoke',
    ['jfrog', 'artifactory', 'bintray', 'xray'],
    AN(73),
  ),
  token(
    'artifactory-api-key',
    'JFrog Artifactory API key',
    'JFrog Platform › User profile › API key › revoke',
    `AKCp${AN(69)}`,
    ['akcp'],
    { entropy: 4.5 },
  ),
  token(
    'artifactory-reference-token',
    'JFrog Artifactory reference token',
    'JFrog Platform › User profile › Identity tokens',
    `cmVmd${AN(59)}`,
    ['cmvmd'],
    { entropy: 4.5 },
  ),
  token(
    'clojars-api-token',
    'Clojars deploy token',
    'Clojars › Deploy tokens',
    'CLOJARS_[A-Za-z0-9]{60}',
    ['clojars_'],
    { flags: 'i' },
  ),
  token('rubygems-api-token', 'RubyGems API key', 'rubygems.org › Settings › API keys', `rubygems_${HEX(48)}`, [
    'rubygems_',
  ]),
  token('readme-api-token', 'ReadMe API key', 'ReadMe dashboard › API keys', 'rdme_[a-z0-9]{70}', ['rdme_']),
  token('prefect-api-token', 'Prefect Cloud API key', 'Prefect Cloud › Profile › API keys', `pnu_${AN(36)}`, ['pnu_']),
  token(
    'harness-api-key',
    'Harness API key or token',
    'Harness › My profile › API keys',
    '(?:pat|sat)\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{20}',
    ['pat.', 'sat.'],
  ),
  token(
    'infracost-api-token',
    'Infracost API key',
    'Infracost Cloud › Org settings › API token',
    `ico-${AN(32)}`,
    ['ico-'],
    { entropy: 3 },
  ),
  token(
    'octopus-deploy-api-key',
    'Octopus Deploy API key',
    'Octopus › Profile › My API keys',
    'API-[A-Z0-9]{26}',
    ['api-'],
    { entropy: 3 },
  ),
  named(
    'sonar-api-token',
    'SonarQube / SonarCloud token',
    'Sonar › My Account › Security › revoke',
    ['sonar[_.\\-]?(?:login|token)'],
    '(?:squ_|sqp_|sqa_)?[A-Za-z0-9=_\\-]{40}',
    { keywords: ['sonar'] },
  ),
  named(
    'snyk-api-token',
    'Snyk API token',
    'Snyk › Account settings › revoke and regenerate',
    ['snyk[_.\\-]?(?:(?:api|oauth)[_.\\-]?)?(?:key|token)'],
    UUID,
    { keywords: ['snyk'] },
  ),
  token(
    'sourcegraph-access-token',
    'Sourcegraph access token',
    'Sourcegraph › Settings › Access tokens',
    `sgp_(?:${HEX(16)}|local)_${HEX(40)}|sgp_${HEX(40)}`,
    ['sgp_'],
    { entropy: 3 },
  ),
  named(
    'sourcegraph-access-token-bare',
    'Sourcegraph access token (legacy)',
    'Sourcegraph › Settings › Access tokens',
    ['sourcegraph'],
    HEX(40),
    { entropy: 3 },
  ),
  named(
    'sidekiq-secret',
    'Sidekiq Pro/Enterprise gem server credentials',
    'contact Contributed Systems to rotate the licence credentials',
    ['BUNDLE_ENTERPRISE__CONTRIBSYS__COM', 'BUNDLE_GEMS__CONTRIBSYS__COM'],
    `${HEX(8)}:${HEX(8)}`,
  ),
  {
    id: 'sidekiq-sensitive-url',
    description: withRevoke(
      'Sidekiq Pro/Enterprise gem server URL with credentials',
      'contact Contributed Systems to rotate the licence credentials',
    ),
    regex: re(`https?://(${HEX(8)}:${HEX(8)})@(?:gems|enterprise)\\.contribsys\\.com`, 'i'),
    keywords: ['contribsys.com'],
  },
  {
    id: 'nuget-config-password',
    description: withRevoke(
      'Password in a NuGet.config package source',
      'change the feed password or personal access token',
    ),
    regex: re('<add\\s+key="(?:ClearText)?Password"\\s*value="([^"]{8,})"\\s*/>', 'i'),
    keywords: ['<add key='],
    entropy: 1,
    // `%VAR%` is an environment variable.
    validate: (c) => !isPlaceholder(c.secret) && !/^%\S*%$/.test(c.secret),
  },
  // --- messaging, e-mail and support ---
  token(
    'slack-legacy-token',
    'Slack legacy token',
    'api.slack.com › Legacy tokens › revoke',
    'xox[os]-\\d+-\\d+-\\d+-[a-fA-F\\d]+',
    ['xoxo-', 'xoxs-'],
  ),
  token(
    'slack-legacy-workspace-token',
    'Slack legacy workspace token',
    'api.slack.com › your app › revoke tokens',
    'xox[ar]-(?:\\d-)?[0-9A-Za-z]{8,48}(?:-[0-9A-Za-z]+)*',
    ['xoxa-', 'xoxr-'],
    { entropy: 2.5 },
  ),
  token(
    'slack-legacy-bot-token',
    'Slack legacy bot token',
    'api.slack.com › your app › OAuth › revoke',
    'xoxb-[0-9]{8,14}-[A-Za-z0-9]{18,26}',
    ['xoxb-'],
  ),
  token(
    'slack-config-access-token',
    'Slack configuration access token',
    'api.slack.com › Your apps › configuration tokens › revoke',
    'xoxe\\.xox[bp]-\\d-[A-Za-z0-9]{163,166}',
    ['xoxe.xoxb-', 'xoxe.xoxp-'],
  ),
  token(
    'slack-config-refresh-token',
    'Slack configuration refresh token',
    'api.slack.com › Your apps › configuration tokens › revoke',
    'xoxe-\\d-[A-Za-z0-9]{146}',
    ['xoxe-'],
  ),
  named(
    'mattermost-access-token',
    'Mattermost personal access token',
    'Mattermost › Profile › Security › Personal access tokens',
    ['mattermost'],
    AN(26),
  ),
  named(
    'messagebird-api-token',
    'MessageBird (Bird) API key',
    'Bird dashboard › Developers › API access',
    ['message[_\\-]?bird'],
    AN(25),
    { keywords: ['messagebird', 'message-bird', 'message_bird'] },
  ),
  named(
    'messagebird-client-id',
    'MessageBird (Bird) client id',
    'Bird dashboard › Developers › API access',
    ['message[_\\-]?bird'],
    UUID,
    { keywords: ['messagebird', 'message-bird', 'message_bird'] },
  ),
  token(
    'sendinblue-api-token',
    'Brevo (Sendinblue) API key',
    'Brevo › SMTP & API › API keys',
    `xkeysib-${HEX(64)}-${AN(16)}`,
    ['xkeysib-'],
  ),
  named('mailgun-pub-key', 'Mailgun public validation key', 'Mailgun › API security', ['mailgun'], `pubkey-${HEX(32)}`),
  named(
    'mailgun-signing-key',
    'Mailgun webhook signing key',
    'Mailgun › Webhooks › signing key › rotate',
    ['mailgun'],
    '[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}',
  ),
  named(
    'sendbird-access-id',
    'Sendbird application id',
    'Sendbird dashboard › Settings › Application',
    ['sendbird'],
    UUID,
  ),
  named(
    'sendbird-access-token',
    'Sendbird API token',
    'Sendbird dashboard › Settings › Application › API tokens',
    ['sendbird'],
    HEX(40),
  ),
  named(
    'intercom-api-key',
    'Intercom access token',
    'Intercom Developer Hub › your app › Authentication',
    ['intercom'],
    '[A-Za-z0-9=_\\-]{60}',
  ),
  named(
    'zendesk-secret-key',
    'Zendesk API token',
    'Zendesk Admin Center › Apps and integrations › Zendesk API',
    ['zendesk'],
    AN(40),
  ),
  named('gitter-access-token', 'Gitter token', 'developer.gitter.im › Apps', ['gitter'], '[A-Za-z0-9_-]{40}'),
  named(
    'discord-api-token',
    'Discord application public key or secret',
    'Discord Developer Portal › your application',
    ['discord'],
    HEX(64),
  ),
  named('discord-client-id', 'Discord client id', 'Discord Developer Portal › OAuth2', ['discord'], '[0-9]{18}', {
    entropy: 2,
  }),
  named(
    'discord-client-secret',
    'Discord client secret',
    'Discord Developer Portal › OAuth2 › Reset Secret',
    ['discord'],
    '[A-Za-z0-9=_\\-]{32}',
    { entropy: 2 },
  ),
  named(
    'telegram-bot-api-token',
    'Telegram bot token',
    '@BotFather › /revoke',
    ['telegr'],
    '[0-9]{5,16}:A[A-Za-z0-9_\\-]{34}',
  ),
  named('twitch-api-token', 'Twitch API token', 'Twitch developer console › Applications', ['twitch'], AN(30)),
  named(
    'twitter-api-key',
    'Twitter/X API key',
    'X developer portal › Keys and tokens › regenerate',
    ['twitter'],
    AN(25),
  ),
  named(
    'twitter-api-secret',
    'Twitter/X API key secret',
    'X developer portal › Keys and tokens › regenerate',
    ['twitter'],
    AN(50),
  ),
  named(
    'twitter-access-token',
    'Twitter/X access token',
    'X developer portal › Keys and tokens › revoke',
    ['twitter'],
    `[0-9]{15,25}-${AN('20,40')}`,
  ),
  named(
    'twitter-access-secret',
    'Twitter/X access token secret',
    'X developer portal › Keys and tokens › revoke',
    ['twitter'],
    AN(45),
  ),
  named('linkedin-client-id', 'LinkedIn client id', 'LinkedIn developer portal › Auth', ['linked[_\\-]?in'], AN(14), {
    keywords: ['linkedin', 'linked_in', 'linked-in'],
    entropy: 2,
  }),
  named(
    'linkedin-client-secret',
    'LinkedIn client secret',
    'LinkedIn developer portal › Auth › generate a new secret',
    ['linked[_\\-]?in'],
    AN(16),
    { keywords: ['linkedin', 'linked_in', 'linked-in'], entropy: 2 },
  ),
  named(
    'facebook-secret',
    'Facebook app secret',
    'Meta for Developers › App settings › Basic › reset',
    ['facebook'],
    HEX(32),
    { entropy: 3 },
  ),
  token(
    'facebook-app-access-token',
    'Facebook app access token',
    'Meta for Developers › reset the app secret',
    '\\d{15,16}(?:\\||%7C)[0-9A-Za-z\\-_]{27,40}',
    ['facebook'],
    { entropy: 3 },
  ),
  token(
    'facebook-page-access-token',
    'Facebook page access token',
    'Meta for Developers › Access Token Tool',
    'EAA[MC][A-Za-z0-9]{100,}',
    ['eaam', 'eaac'],
    { entropy: 4 },
  ),
  named(
    'fastly-api-token',
    'Fastly API token',
    'Fastly › Account › Personal API tokens',
    ['fastly'],
    '[A-Za-z0-9=_\\-]{32}',
  ),
  named('flickr-access-token', 'Flickr API key', 'Flickr › App Garden › your apps', ['flickr'], AN(32)),
  named(
    'trello-access-token',
    'Trello API key or token',
    'Trello › Power-Up admin › API key',
    ['trello'],
    '[A-Za-z0-9]{32}(?:[A-Za-z0-9]{32})?',
  ),
  named(
    'linear-client-secret',
    'Linear OAuth client secret',
    'Linear › Settings › API › OAuth applications',
    ['linear'],
    HEX(32),
    { entropy: 2 },
  ),
  named(
    'sentry-access-token',
    'Sentry auth token (legacy)',
    'Sentry › User settings › Auth tokens',
    ['sentry'],
    HEX(64),
    { entropy: 3 },
  ),
  named(
    'dropbox-api-token',
    'Dropbox app key or token',
    'Dropbox App Console › your app',
    ['dropbox'],
    `${AN(15)}|[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9\\-_=]{43}|sl\\.[A-Za-z0-9\\-=_]{135}`,
  ),
  named(
    'nytimes-access-token',
    'New York Times API key',
    'developer.nytimes.com › Apps',
    ['nytimes', 'new-york-times', 'newyorktimes'],
    '[A-Za-z0-9=_\\-]{32}',
  ),
  named('beamer-api-token', 'Beamer API key', 'Beamer › Settings › API', ['beamer'], 'b_[A-Za-z0-9=_\\-]{44}'),
  named(
    'typeform-api-token',
    'Typeform personal access token',
    'Typeform › Account › Personal tokens',
    ['typeform'],
    'tfp_[A-Za-z0-9\\-_.=]{59}',
    { keywords: ['tfp_'] },
  ),
  // --- payments, finance and commerce ---
  named('plaid-client-id', 'Plaid client id', 'Plaid dashboard › Team settings › Keys', ['plaid'], AN(24), {
    entropy: 3.5,
  }),
  named('plaid-secret-key', 'Plaid secret', 'Plaid dashboard › Team settings › Keys › rotate', ['plaid'], AN(30), {
    entropy: 3.5,
  }),
  named(
    'plaid-api-token',
    'Plaid access token',
    'Plaid /item/remove',
    ['plaid'],
    `access-(?:sandbox|development|production)-${UUID}`,
  ),
  token(
    'duffel-api-token',
    'Duffel access token',
    'Duffel dashboard › Developers › Access tokens',
    'duffel_(?:test|live)_[A-Za-z0-9_\\-=]{43}',
    ['duffel_'],
    { entropy: 2 },
  ),
  named('lob-api-key', 'Lob API key', 'Lob dashboard › Settings › API keys', ['lob'], `(?:live|test)_${HEX(35)}`, {
    keywords: ['lob'],
  }),
  named(
    'lob-pub-api-key',
    'Lob publishable API key',
    'Lob dashboard › Settings › API keys',
    ['lob'],
    `(?:test|live)_pub_${HEX(31)}`,
    { keywords: ['lob'] },
  ),
  token(
    'easypost-api-token',
    'EasyPost production API key',
    'EasyPost › Account settings › API keys',
    `EZAK${AN(54)}`,
    ['ezak'],
    { entropy: 2 },
  ),
  token(
    'easypost-test-api-token',
    'EasyPost test API key',
    'EasyPost › Account settings › API keys',
    `EZTK${AN(54)}`,
    ['eztk'],
    { entropy: 2 },
  ),
  token('shippo-api-token', 'Shippo API token', 'Shippo › Settings › API', 'shippo_(?:live|test)_[a-fA-F0-9]{40}', [
    'shippo_',
  ]),
  named(
    'gocardless-api-token',
    'GoCardless access token',
    'GoCardless dashboard › Developers › revoke',
    ['gocardless'],
    'live_[A-Za-z0-9\\-_=]{40}',
    { keywords: ['gocardless'] },
  ),
  named(
    'finicity-client-secret',
    'Finicity (Mastercard Open Finance) partner secret',
    'Finicity developer dashboard › Credentials',
    ['finicity'],
    AN(20),
  ),
  named('finicity-api-token', 'Finicity app key', 'Finicity developer dashboard › Credentials', ['finicity'], HEX(32)),
  named('finnhub-access-token', 'Finnhub API key', 'finnhub.io › Dashboard', ['finnhub'], AN(20)),
  named(
    'coinbase-access-token',
    'Coinbase API key',
    'Coinbase › Settings › API › delete key',
    ['coinbase'],
    '[A-Za-z0-9_-]{64}',
  ),
  named(
    'kraken-access-token',
    'Kraken API key',
    'Kraken › Settings › API › delete key',
    ['kraken'],
    '[A-Za-z0-9/=_+\\-]{80,90}',
  ),
  named('kucoin-access-token', 'KuCoin API key', 'KuCoin › API management › delete key', ['kucoin'], HEX(24)),
  named('kucoin-secret-key', 'KuCoin API secret', 'KuCoin › API management › delete key', ['kucoin'], UUID),
  named('bittrex-access-key', 'Bittrex API key', 'Bittrex › Account › API keys', ['bittrex'], AN(32)),
  token(
    'flutterwave-public-key',
    'Flutterwave public key (test)',
    'Flutterwave dashboard › Settings › API keys',
    'FLWPUBK_TEST-[a-hA-H0-9]{32}-X',
    ['flwpubk_test'],
  ),
  token(
    'flutterwave-encryption-key',
    'Flutterwave encryption key (test)',
    'Flutterwave dashboard › Settings › API keys',
    'FLWSECK_TEST-?[a-hA-H0-9]{12}',
    ['flwseck_test'],
  ),
  named(
    'squarespace-access-token',
    'Squarespace API key',
    'Squarespace › Settings › Developer API keys',
    ['squarespace'],
    UUID,
  ),
  named('etsy-access-token', 'Etsy API key', 'Etsy developers › Your apps', ['(?<![a-z])[Ee]tsy|ETSY'], AN(24), {
    entropy: 3,
    keywords: ['etsy'],
    exactCase: true,
  }),
  named(
    'freshbooks-access-token',
    'FreshBooks access token',
    'FreshBooks developer portal › your app',
    ['freshbooks'],
    AN(64),
  ),
  {
    id: 'freemius-secret-key',
    description: withRevoke('Freemius secret key', 'Freemius developer dashboard › Settings › Keys'),
    regex: re(`["']secret_key["']\\s*=>\\s*["'](sk_[^\\s'"]{29})["']`, 'i'),
    keywords: ['secret_key'],
    validate: checked(),
  },
  // --- analytics, monitoring, feature flags and content ---
  named(
    'datadog-access-token',
    'Datadog API or application key',
    'Datadog › Organization settings › API keys',
    ['datadog'],
    AN(40),
  ),
  token(
    'dynatrace-api-token',
    'Dynatrace API token',
    'Dynatrace › Access tokens',
    `dt0c01\\.${AN(24)}\\.${AN(64)}`,
    ['dt0c01.'],
    { entropy: 4 },
  ),
  named(
    'new-relic-user-api-id',
    'New Relic user API key id',
    'New Relic › API keys',
    ['new-relic', 'newrelic', 'new_relic'],
    AN(64),
  ),
  named(
    'new-relic-browser-api-token',
    'New Relic browser API token',
    'New Relic › API keys',
    ['new-relic', 'newrelic', 'new_relic'],
    `NRJS-${HEX(19)}`,
    { keywords: ['nrjs-'] },
  ),
  named(
    'new-relic-insert-key',
    'New Relic insert key',
    'New Relic › API keys',
    ['new-relic', 'newrelic', 'new_relic'],
    'NRII-[A-Za-z0-9-]{32}',
    { keywords: ['nrii-'] },
  ),
  named(
    'sumologic-access-id',
    'Sumo Logic access id',
    'Sumo Logic › Preferences › Access keys',
    ['(?<![a-z])[Ss]umo|SUMO'],
    `su${AN(12)}`,
    { entropy: 3, keywords: ['sumo'], exactCase: true },
  ),
  named(
    'sumologic-access-token',
    'Sumo Logic access key',
    'Sumo Logic › Preferences › Access keys',
    ['(?<![a-z])[Ss]umo|SUMO'],
    AN(64),
    { entropy: 3, keywords: ['sumo'], exactCase: true },
  ),
  named(
    'launchdarkly-access-token',
    'LaunchDarkly access token',
    'LaunchDarkly › Account settings › Authorization',
    ['launchdarkly'],
    '[A-Za-z0-9=_\\-]{40}',
  ),
  named(
    'contentful-delivery-api-token',
    'Contentful delivery API token',
    'Contentful › Settings › API keys',
    ['contentful'],
    '[A-Za-z0-9=_\\-]{43}',
  ),
  named('looker-client-id', 'Looker API client id', 'Looker › Admin › Users › API keys', ['looker'], AN(20)),
  named('looker-client-secret', 'Looker API client secret', 'Looker › Admin › Users › API keys', ['looker'], AN(24)),
  named('hubspot-api-key', 'HubSpot API key', 'HubSpot › Settings › Integrations › Private apps', ['hubspot'], UUID),
  named('asana-client-id', 'Asana client id', 'Asana developer console › your app', ['asana'], '[0-9]{16}', {
    entropy: 2,
  }),
  named(
    'asana-client-secret',
    'Asana client secret',
    'Asana developer console › your app › reset secret',
    ['asana'],
    AN(32),
  ),
  named('airtable-api-key', 'Airtable legacy API key', 'Airtable › Developer hub', ['airtable'], AN(17)),
  named('algolia-api-key', 'Algolia admin API key', 'Algolia dashboard › Settings › API keys', ['algolia'], AN(32)),
  named(
    'adafruit-api-key',
    'Adafruit IO key',
    'io.adafruit.com › My Key › regenerate',
    ['adafruit'],
    '[A-Za-z0-9_-]{32}',
  ),
  named('adobe-client-id', 'Adobe client id', 'Adobe Developer Console › project › credentials', ['adobe'], HEX(32), {
    entropy: 2,
  }),
  token(
    'adobe-client-secret',
    'Adobe client secret',
    'Adobe Developer Console › project › credentials › rotate',
    `p8e-${AN(32)}`,
    ['p8e-'],
    { entropy: 2 },
  ),
  named('heroku-api-key-uuid', 'Heroku API key', 'Heroku › Account settings › API key › regenerate', ['heroku'], UUID),
  named(
    'mapbox-api-token',
    'Mapbox public token',
    'Mapbox account › Access tokens',
    ['mapbox'],
    `pk\\.${AN(60)}\\.${AN(22)}`,
  ),
  token(
    'maxmind-license-key',
    'MaxMind licence key',
    'MaxMind account › Manage licence keys',
    `${AN(6)}_${AN(29)}_mmk`,
    ['_mmk'],
    { entropy: 4 },
  ),
  named(
    'cisco-meraki-api-key',
    'Cisco Meraki API key',
    'Meraki dashboard › My profile › API access',
    ['(?<![a-z])[Mm]eraki|MERAKI'],
    '[0-9a-f]{40}',
    {
      keywords: ['meraki'],
      exactCase: true,
      entropy: 3,
      validate: (c) => /[0-9]/.test(c.secret) && /[a-f]/.test(c.secret),
    },
  ),
  named('rapidapi-access-token', 'RapidAPI key', 'RapidAPI › Apps › Authorization', ['rapidapi'], '[A-Za-z0-9_-]{50}'),
  named('privateai-api-token', 'Private AI API key', 'Private AI customer portal', ['private[_\\-]?ai'], AN(32), {
    keywords: ['privateai', 'private_ai', 'private-ai'],
    entropy: 3,
  }),
  named('cohere-api-token', 'Cohere API key', 'Cohere dashboard › API keys', ['cohere', 'CO_API_KEY'], AN(40), {
    entropy: 4,
  }),
  token(
    'intra42-client-secret',
    '42 intranet client secret',
    '42 intranet › your application › replace secret',
    `s-s4t2(?:ud|af)-${HEX(64)}`,
    ['s-s4t2ud-', 's-s4t2af-'],
    { entropy: 3 },
  ),
  token(
    'frameio-api-token',
    'Frame.io developer token',
    'Frame.io developer site › Tokens',
    'fio-u-[A-Za-z0-9\\-_=]{64}',
    ['fio-u-'],
  ),
  token(
    'settlemint-token',
    'SettleMint access token',
    'SettleMint console › Access tokens',
    `sm_(?:pat|aat|sat)_${AN(16)}`,
    ['sm_pat', 'sm_aat', 'sm_sat'],
    { entropy: 3 },
  ),
  token(
    'grafana-api-key',
    'Grafana API key (legacy)',
    'Grafana › Administration › API keys',
    'eyJrIjoi[A-Za-z0-9]{70,400}={0,3}',
    ['eyjrijoi'],
    { entropy: 3 },
  ),
  {
    id: 'kubernetes-secret-yaml',
    description: withRevoke('Kubernetes Secret manifest with data', 'rotate the credential and re-create the Secret'),
    regex: re(
      String.raw`\bkind:[ \t]*["']?Secret["']?[\s\S]{0,200}?\b(?:data|stringData):[\s\S]{0,100}?\n[ \t]+[\w.\-]+:[ \t]*["']?([A-Za-z0-9+/]{10,}={0,3})["']?(?=\s|$)|\b(?:data|stringData):\s*\n(?:[ \t]+[\w.\-]+:.*\n){0,10}?[ \t]+[\w.\-]+:[ \t]*["']?([A-Za-z0-9+/]{10,}={0,3})["']?\s*\n[\s\S]{0,200}?\bkind:[ \t]*["']?Secret\b`,
    ),
    keywords: ['kind: secret', 'kind:secret', 'kind: "secret"', "kind: 'secret'"],
    entropy: 3,
    validate: (c) => !/\{\{|\$\{/.test(c.match),
  },
  {
    id: 'curl-auth-user',
    description: withRevoke('User and password passed to curl -u/--user', 'change the password of that account'),
    regex: re(
      String.raw`\bcurl\b(?:[^\n]|\\\n){0,400}?\s(?:-u|--user)(?:=|[ \t]{1,5})((?:"[^"\n]{0,100}"|'[^'\n]{0,100}'|[\w$@.\-]{1,100}):(?:"[^"\n]{0,100}"|'[^'\n]{0,100}'|[^\s'"]{1,100})|"[^"\n:]{0,100}:[^"\n]{0,100}"|'[^'\n:]{0,100}:[^'\n]{0,100}')`,
    ),
    keywords: ['curl'],
    generic: true,
    validate: curlCredentialIsReal,
  },
  {
    id: 'authorization-header',
    description: withRevoke(
      'Credential in an Authorization or API-key header (Token, Api-Token, Key and other schemes)',
      "the issuing service's token settings",
    ),
    regex: re(
      String.raw`(?<![\w-])(?:(?:[Aa]uthorization|AUTHORIZATION)["']?\s*[:=,]|(?:X-[A-Za-z-]*(?:Api-?Key|API-?KEY|Token|TOKEN|Auth)|[Aa]pikey|[Aa]pi-[Kk]ey|API-?KEY|Api-Token|(?<=["'])Token)["']?\s*:)\s*["']?(?:(?!Bearer\b|Basic\b|bearer\b|basic\b)[A-Za-z][\w-]{1,15}[ \t]+)?([A-Za-z0-9_\-.~+/=@]{8,200})(?=["'\s;,)}\\]|$)`,
    ),
    keywords: ['authorization', 'apikey', 'api-key', 'api-token', 'token"', "token'", 'token:'],
    generic: true,
    validate: headerValueIsReal,
  },
  {
    id: 'gcp-service-account-json',
    description: withRevoke(
      'Google Cloud service-account key file (JSON)',
      'Google Cloud console › IAM › Service accounts › Keys',
    ),
    regex: re(`"type"\\s*:\\s*"(service_account)"`),
    keywords: ['service_account'],
  },
];
