/**
 * kagg's secret rule table, modelled on gitleaks' rules (regex, keywords, entropy, allowlists,
 * stopwords) and written for JavaScript's RegExp. Specific rules come first; the generic assignment
 * rules last, and a specific rule wins over a generic one that matched the same secret.
 *
 * Regexes use `\b` boundaries and capture the secret in a group. Every rule has a positive and a
 * negative example in the plugin's tests.
 */
import { genericAssignmentIsSecret, isPlaceholder, secretNameKind } from './generic.js';
import { PROVIDER_RULES, withRevoke } from './providers.js';
import type { MatchContext, RuleAllowlist, SecretRule } from './types.js';

const re = (source: string, flags = ''): RegExp => new RegExp(source, `gd${flags}`);

/**
 * Values published as examples, public and never a leak: Google API keys from Google's own SDK
 * sources (firebase-android-sdk test fixtures) and the documentation's alphabet placeholder, and the
 * sample passwords of NuGet's documentation.
 */
const KNOWN_PUBLIC_VALUES = new RegExp(
  `^(?:${[
    'AIzaSyabcdefghijklmnopqrstuvwxyz1234567',
    'AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs',
    'AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM',
    'AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU',
    'AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0',
    'AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A',
    'AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c',
    'AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4',
    'AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY',
    'AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM',
    'AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ',
    'AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g',
    'AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU',
    'AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw',
    'AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE',
    'AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY',
    '33f!!lloppa',
    'hal\\+9ooo_da!sY',
  ].join('|')})$`,
);

/** Global allowlist: secrets that are placeholders, templates, one repeated character or known-public. */
export const GLOBAL_ALLOWLIST: RuleAllowlist = {
  description: 'placeholders, templates, repeated characters',
  regexTarget: 'secret',
  regexes: [
    /^(.)\1+$/,
    /x{5,}|X{5,}|\*{4,}|\.\.\.|…|abc123/,
    /your[_-]|YOUR|<[A-Za-z_ -]+>|\$\{[^}]*\}|\{\{[^}]*\}\}/,
    /example|placeholder|redacted|changeme|dummy/i,
    KNOWN_PUBLIC_VALUES,
  ],
};

/** The base64url-decoded JWT header names an algorithm or an encryption. */
function jwtHeaderDecodes(context: MatchContext): boolean {
  const header = context.secret.split('.')[0] ?? '';
  try {
    const decoded = Buffer.from(header, 'base64url').toString('utf8');
    return /"(?:alg|enc|typ|kid)"\s*:/.test(decoded);
  } catch {
    return false;
  }
}

/** `Basic <b64>` decodes to `user:password` with a real-looking password. */
function basicAuthDecodes(context: MatchContext): boolean {
  const decoded = Buffer.from(context.secret, 'base64').toString('utf8');
  if (!/^[\x20-\x7e]+$/.test(decoded)) return false;
  const colon = decoded.indexOf(':');
  if (colon <= 0) return false;
  const password = decoded.slice(colon + 1);
  return password.length >= 3 && !isPlaceholder(password) && password !== decoded.slice(0, colon);
}

const DEFAULT_PASSWORDS = new Set([
  'password',
  'pass',
  'passwd',
  'pwd',
  'secret',
  'postgres',
  'root',
  'admin',
  'guest',
  'test',
  'user',
  'mysql',
  'redis',
  'example',
  'changeme',
  'default',
  'pw',
  'x',
]);

/** A password in a URL that is not a template, a placeholder or a well-known default. */
const URL_PASSWORD_TEMPLATE =
  /\$\{[^}]*\}|^\$[A-Za-z_][A-Za-z0-9_]*$|\{\{[^}]*\}\}|\{[A-Za-z_][A-Za-z0-9_.]*\}|%\([A-Za-z_]+\)s|^%s$|^\{\}$/;

function urlPasswordIsReal(context: MatchContext): boolean {
  const user = context.groups[1] ?? '';
  const password = context.secret;
  if (password.length < (user === '' ? 6 : 3) || password === user) return false;
  if (DEFAULT_PASSWORDS.has(password.toLowerCase())) return false;
  // Templates and placeholders (`${PGPASSWORD}`, `$PASS`, `{password}`, `%(pw)s`, `***`, `<pw>`),
  // not the `$`, `%` or `!` a real password may hold.
  if (URL_PASSWORD_TEMPLATE.test(password) || /^\*+$|^<|>$/.test(password)) return false;
  if (/^:?\d+$/.test(password) && /^[a-z]*$/i.test(user) && user.length < 3) return false;
  return !isPlaceholder(password);
}

/** OpenAI keys: the `T3BlbkFJ` marker, a project/service prefix, or a long mixed-case legacy key. */
function openAiKeyShape(context: MatchContext): boolean {
  const key = context.secret;
  if (key.includes('T3BlbkFJ')) return true;
  if (/^sk-(?:proj|svcacct|admin)-/.test(key)) return key.length >= 50;
  const rest = key.slice(3);
  return rest.length >= 40 && /[0-9]/.test(rest) && /[A-Z]/.test(rest) && /[a-z]/.test(rest);
}

/** Azure SAS: the signature sits in a query string that also has SAS fields. */
function azureSasContext(context: MatchContext): boolean {
  return /[?&](?:sv|se|sp|sr|ss|srt)=/.test(context.line);
}

const GENERIC_NAME = String.raw`[A-Za-z0-9_.\-]{0,60}?(?:key|secret|token|pass(?:w(?:or)?d|phrase)?|pwd|auth|credentials?|creds|appid)[A-Za-z0-9_.\-]{0,40}`;
/**
 * `name = value` in the forms code and configuration write it: Python (typed `name: str =`), Go
 * (`var name string =`, `:=`, backticks), Makefiles (`::=`, `:::=`, `?=`), PHP (`.=`, `=>`), JSON/YAML
 * (`"name": value`), calls (`f("NAME", "value")`) and XML elements (`<name>value</name>`); a quoted value
 * may be triple-quoted, or wrapped onto the next line by a parenthesis or a backslash.
 * Groups: 1 name, 2 the name's closing quote, 3 the operator, 4 the value's quote, 5 a quoted value,
 * 6 an unquoted value.
 */
const GENERIC_ASSIGNMENT = String.raw`(?<![\w.\-])(${GENERIC_NAME})(['"]?)\s*\]?\s*(?::\s*[A-Za-z_][\w.]*\s*(?=[=])|[ \t]+[A-Za-z_]\w{0,12}[ \t]*(?==[^=]))?(=>|:{1,3}=|\?=|\.=|=(?!=)|:|,|(?<=<[\w.\-]{1,100})>)\s*(?:(?:\(\s*|\\\r?\n\s*)?[rRbBuU]{0,2}('''|"""|['"\x60])([^'"\x60\s\\]{6,200})\4|([^\s'"\x60\\,;()\[\]{}<>&]{6,200})(?![^\s'"\x60\\,;()\[\]{}<>&]))`;

/** Where each hand-tuned rule's key is revoked (provider rules carry theirs in providers.ts). */
const REVOKE: Record<string, string> = {
  'aws-access-key-id': 'AWS console › IAM › Users › Security credentials › deactivate the access key',
  'aws-secret-access-key': 'AWS console › IAM › Users › Security credentials › deactivate the access key',
  'aws-session-token': 'revoke the role session (IAM › Roles › Revoke sessions)',
  'gcp-api-key': 'https://console.cloud.google.com/apis/credentials',
  'gcp-service-account': 'https://console.cloud.google.com/iam-admin/serviceaccounts › Keys',
  'gcp-oauth-client-secret': 'https://console.cloud.google.com/apis/credentials › reset secret',
  'google-oauth-access-token': 'https://myaccount.google.com/permissions',
  'google-oauth-refresh-token': 'https://myaccount.google.com/permissions',
  'azure-storage-account-key': 'Azure portal › storage account › Access keys › rotate',
  'azure-sas-token': 'rotate the storage account key that signed it, or revoke its stored access policy',
  'azure-ad-client-secret': 'Entra ID › App registrations › Certificates & secrets',
  'alibaba-access-key-id': 'Alibaba Cloud RAM console › AccessKey',
  'digitalocean-token': 'https://cloud.digitalocean.com/account/api/tokens',
  'databricks-api-token': 'Databricks › User settings › Developer › Access tokens',
  'heroku-api-key': 'https://dashboard.heroku.com/account/applications',
  'hashicorp-vault-token': 'vault token revoke',
  'terraform-cloud-token': 'https://app.terraform.io/app/settings/tokens',
  'supabase-token': 'https://supabase.com/dashboard/account/tokens',
  'github-pat': 'https://github.com/settings/tokens',
  'github-fine-grained-pat': 'https://github.com/settings/personal-access-tokens',
  'github-oauth-token': 'https://github.com/settings/applications',
  'github-app-token': "the GitHub App's settings, or let the installation token expire",
  'github-refresh-token': 'https://github.com/settings/applications',
  'gitlab-pat': 'GitLab › Preferences › Access tokens',
  'gitlab-ci-token': 'GitLab › Settings › CI/CD (runners, triggers) or Repository › Deploy tokens',
  'bitbucket-app-password': 'Bitbucket › Personal settings › App passwords',
  'atlassian-api-token': 'https://id.atlassian.com/manage-profile/security/api-tokens',
  'npm-access-token': 'https://www.npmjs.com › Access Tokens',
  'pypi-upload-token': 'https://pypi.org/manage/account/token/',
  'dockerhub-pat': 'https://app.docker.com/settings/personal-access-tokens',
  'circleci-token': 'https://app.circleci.com/settings/user/tokens',
  'buildkite-token': 'https://buildkite.com/user/api-access-tokens',
  'sentry-token': 'Sentry › Settings › Auth tokens',
  'grafana-token': 'Grafana › Administration › Service accounts',
  'new-relic-user-key': 'https://one.newrelic.com/api-keys',
  'postman-api-key': 'https://go.postman.co/settings/me/api-keys',
  'slack-bot-token': 'https://api.slack.com/apps › OAuth & Permissions › revoke',
  'slack-user-token': 'https://api.slack.com/apps › OAuth & Permissions › revoke',
  'slack-app-token': 'https://api.slack.com/apps › Basic Information › App-level tokens',
  'slack-webhook-url': 'https://api.slack.com/apps › Incoming Webhooks › remove',
  'discord-bot-token': 'https://discord.com/developers/applications › Bot › Reset Token',
  'discord-webhook-url': 'Discord › Server settings › Integrations › Webhooks › delete',
  'telegram-bot-token': '@BotFather › /revoke',
  'microsoft-teams-webhook': 'Teams › channel › Connectors (or Workflows) › remove the webhook',
  'twilio-api-key': 'https://console.twilio.com › Account › API keys',
  'sendgrid-api-key': 'https://app.sendgrid.com/settings/api_keys',
  'mailgun-api-key': 'Mailgun › API security › API keys',
  'mailchimp-api-key': 'Mailchimp › Account › Extras › API keys',
  'notion-token': 'https://www.notion.so/my-integrations',
  'linear-api-key': 'Linear › Settings › API › Personal API keys',
  'airtable-pat': 'https://airtable.com/create/tokens',
  'twitter-bearer-token': 'X developer portal › Keys and tokens › regenerate',
  'facebook-access-token': 'Meta for Developers › your app › reset the app secret',
  'dropbox-token': 'https://www.dropbox.com/developers/apps',
  'mapbox-secret-token': 'https://account.mapbox.com/access-tokens/',
  'stripe-secret-key': 'https://dashboard.stripe.com/apikeys › roll key',
  'square-token': 'Square Developer Dashboard › Credentials',
  'paypal-braintree-token': 'PayPal developer dashboard › Apps & credentials',
  'shopify-token': 'Shopify admin › Apps › Develop apps › API credentials',
  'flutterwave-secret-key': 'Flutterwave dashboard › Settings › API keys',
  'anthropic-api-key': 'https://console.anthropic.com/settings/keys',
  'openrouter-api-key': 'https://openrouter.ai/settings/keys',
  'openai-api-key': 'https://platform.openai.com/api-keys',
  'deepseek-api-key': 'https://platform.deepseek.com/api_keys',
  'huggingface-token': 'https://huggingface.co/settings/tokens',
  'groq-api-key': 'https://console.groq.com/keys',
  'replicate-api-token': 'https://replicate.com/account/api-tokens',
  'perplexity-api-key': 'Perplexity › Settings › API',
  'xai-api-key': 'https://console.x.ai › API keys',
  'langsmith-api-key': 'LangSmith › Settings › API keys',
  'pinecone-api-key': 'Pinecone console › API keys',
  'nvidia-api-key': 'https://build.nvidia.com › API keys',
  'wandb-api-key': 'https://wandb.ai/authorize (User settings › API keys)',
  'kaggle-api-key': 'https://www.kaggle.com/settings › API › Expire API token',
  'kaggle-api-token': 'https://www.kaggle.com/settings › API › Expire API token',
  'private-key': 'replace the key pair and remove the public key wherever it is trusted',
  'age-secret-key': 'generate a new identity and re-encrypt what the old one opens',
  jwt: "rotate the issuer's signing key, or revoke the session at the issuer",
  'url-password': 'change the password of that database or service account',
  'basic-auth-header': 'change the password of that account',
};

const TABLE: SecretRule[] = [
  // --- cloud providers ---
  {
    id: 'aws-access-key-id',
    description: 'AWS access key id',
    regex: re(String.raw`\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b`),
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    entropy: 3,
  },
  {
    id: 'aws-secret-access-key',
    description: 'AWS secret access key',
    regex: re(
      String.raw`(?:aws)?_?secret_?(?:access)?_?key['"]?\s*\]?\s*(?:=|:|,|=>|\s)\s*[rb]?['"]?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
      'i',
    ),
    keywords: ['secret'],
    entropy: 4,
  },
  {
    id: 'aws-session-token',
    description: 'AWS session token',
    regex: re(String.raw`(?:aws_?)?session_?token['"]?\s*\]?\s*(?:=|:|,)\s*['"]?([A-Za-z0-9/+=]{100,})`, 'i'),
    keywords: ['session'],
    entropy: 4,
  },
  {
    id: 'gcp-api-key',
    description: 'Google Cloud / Gemini API key',
    regex: re(String.raw`\b(AIza[0-9A-Za-z_\-]{35})(?![0-9A-Za-z_\-])`),
    keywords: ['aiza'],
    entropy: 3.5,
  },
  {
    id: 'gcp-service-account',
    description: 'Google Cloud service-account key (JSON private_key_id)',
    regex: re(String.raw`['"]?private_key_id['"]?\s*[:=]\s*['"]([a-f0-9]{40})['"]`),
    keywords: ['private_key_id'],
    entropy: 3,
  },
  {
    id: 'gcp-oauth-client-secret',
    description: 'Google OAuth client secret',
    regex: re(String.raw`\b(GOCSPX-[A-Za-z0-9_\-]{28})(?![A-Za-z0-9_\-])`),
    keywords: ['gocspx'],
  },
  {
    id: 'google-oauth-access-token',
    description: 'Google OAuth access token',
    regex: re(String.raw`\b(ya29\.[0-9A-Za-z_\-]{30,})`),
    keywords: ['ya29.'],
    entropy: 3.5,
  },
  {
    id: 'google-oauth-refresh-token',
    description: 'Google OAuth refresh token',
    regex: re(String.raw`(?<![\w/])(1//0[0-9A-Za-z_\-]{40,})`),
    keywords: ['1//0'],
    entropy: 3.5,
  },
  {
    id: 'azure-storage-account-key',
    description: 'Azure storage account key in a connection string',
    regex: re(`AccountKey=([A-Za-z0-9+/]{86}==)`, 'i'),
    keywords: ['accountkey='],
    entropy: 4,
  },
  {
    id: 'azure-sas-token',
    description: 'Azure shared access signature',
    regex: re(`[?&]sig=([A-Za-z0-9%+/]{40,120}(?:%3D|=){0,2})`),
    keywords: ['sig='],
    validate: azureSasContext,
  },
  {
    id: 'azure-ad-client-secret',
    description: 'Azure AD (Entra ID) client secret',
    regex: re(
      String.raw`(?:^|[\\'"\x60\s>=:(,)])([a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.\-]{31,34})(?:$|[\\'"\x60\s<),])`,
      'm',
    ),
    keywords: ['q~'],
    entropy: 3,
  },
  {
    id: 'alibaba-access-key-id',
    description: 'Alibaba Cloud AccessKey id',
    regex: re(String.raw`\b(LTAI[A-Za-z0-9]{12,20})\b`),
    keywords: ['ltai'],
    entropy: 3,
  },
  {
    id: 'digitalocean-token',
    description: 'DigitalOcean token',
    regex: re(String.raw`\b(do[opr]_v1_[a-f0-9]{64})\b`),
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
  },
  {
    id: 'databricks-api-token',
    description: 'Databricks personal access token',
    regex: re(String.raw`\b(dapi[a-f0-9]{32}(?:-\d)?)\b`),
    keywords: ['dapi'],
    entropy: 3,
  },
  {
    id: 'heroku-api-key',
    description: 'Heroku API key',
    regex: re(String.raw`\b(HRKU-[A-Za-z0-9_\-]{60})`),
    keywords: ['hrku-'],
  },
  {
    id: 'hashicorp-vault-token',
    description: 'HashiCorp Vault token',
    regex: re(String.raw`\b(hv[sb]\.[A-Za-z0-9_\-]{90,})`),
    keywords: ['hvs.', 'hvb.'],
    entropy: 3.5,
  },
  {
    id: 'terraform-cloud-token',
    description: 'Terraform Cloud / HCP API token',
    regex: re(String.raw`\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,70})`),
    keywords: ['atlasv1'],
  },
  {
    id: 'supabase-token',
    description: 'Supabase access token',
    regex: re(String.raw`\b(sbp_[a-f0-9]{40})\b`),
    keywords: ['sbp_'],
  },
  // --- version control, packages and CI ---
  {
    id: 'github-pat',
    description: 'GitHub personal access token',
    regex: re(String.raw`\b(ghp_[0-9a-zA-Z]{36})\b`),
    keywords: ['ghp_'],
    entropy: 3,
  },
  {
    id: 'github-fine-grained-pat',
    description: 'GitHub fine-grained personal access token',
    regex: re(String.raw`\b(github_pat_[0-9a-zA-Z_]{70,90})\b`),
    keywords: ['github_pat_'],
    entropy: 3,
  },
  {
    id: 'github-oauth-token',
    description: 'GitHub OAuth access token',
    regex: re(String.raw`\b(gho_[0-9a-zA-Z]{36})\b`),
    keywords: ['gho_'],
    entropy: 3,
  },
  {
    id: 'github-app-token',
    description: 'GitHub App or Actions token',
    regex: re(String.raw`\b((?:ghu|ghs)_[0-9a-zA-Z]{36})\b`),
    keywords: ['ghu_', 'ghs_'],
    entropy: 3,
  },
  {
    id: 'github-refresh-token',
    description: 'GitHub refresh token',
    regex: re(String.raw`\b(ghr_[0-9a-zA-Z]{36,76})\b`),
    keywords: ['ghr_'],
    entropy: 3,
  },
  {
    id: 'gitlab-pat',
    description: 'GitLab personal access token',
    regex: re(String.raw`\b(glpat-[0-9a-zA-Z_\-.]{20,})`),
    keywords: ['glpat-'],
    entropy: 3,
  },
  {
    id: 'gitlab-ci-token',
    description: 'GitLab runner, trigger, deploy or CI build token',
    regex: re(
      String.raw`\b(glptt-[0-9a-f]{40}|glrt-[0-9a-zA-Z_\-]{20,}|GR1348941[0-9a-zA-Z_\-]{20}|glcbt-[0-9a-zA-Z_\-]{20,}|gldt-[0-9a-zA-Z_\-]{20,})`,
    ),
    keywords: ['glptt-', 'glrt-', 'gr1348941', 'glcbt-', 'gldt-'],
    entropy: 3,
  },
  {
    id: 'bitbucket-app-password',
    description: 'Bitbucket / Atlassian app password',
    regex: re(String.raw`\b(ATBB[A-Za-z0-9_=.\-]{32,})`),
    keywords: ['atbb'],
    entropy: 3,
  },
  {
    id: 'atlassian-api-token',
    description: 'Atlassian (Jira, Confluence) API token',
    regex: re(String.raw`\b(ATATT3[A-Za-z0-9_\-=]{150,})`),
    keywords: ['atatt3'],
  },
  {
    id: 'npm-access-token',
    description: 'npm access token',
    regex: re(String.raw`\b(npm_[A-Za-z0-9]{36})\b`),
    keywords: ['npm_'],
    entropy: 3,
  },
  {
    id: 'pypi-upload-token',
    description: 'PyPI upload token',
    regex: re(String.raw`\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})`),
    keywords: ['pypi-ageichlwas5vcmc'],
  },
  {
    id: 'dockerhub-pat',
    description: 'Docker Hub personal access token',
    regex: re(String.raw`\b(dckr_pat_[A-Za-z0-9_\-]{27,})`),
    keywords: ['dckr_pat_'],
  },
  {
    id: 'circleci-token',
    description: 'CircleCI personal API token',
    regex: re(String.raw`\b(CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40})\b`),
    keywords: ['ccipat_'],
  },
  {
    id: 'buildkite-token',
    description: 'Buildkite API access token',
    regex: re(String.raw`\b(bkua_[a-f0-9]{40})\b`),
    keywords: ['bkua_'],
  },
  {
    id: 'sentry-token',
    description: 'Sentry auth token',
    // User tokens are 64 hex; organisation tokens carry a base64 JSON payload naming a region_url.
    regex: re(
      String.raw`\b(sntryu_[a-f0-9]{64}|sntrys_eyJpYXQiO[A-Za-z0-9+/]{10,200}(?:LCJyZWdpb25fdXJs|InJlZ2lvbl91cmwi|cmVnaW9uX3VybCI6)[A-Za-z0-9+/]{10,200}={0,2}_[A-Za-z0-9+/]{43})(?![A-Za-z0-9+/=_\-])`,
    ),
    keywords: ['sntrys_', 'sntryu_'],
    entropy: 3,
  },
  {
    id: 'grafana-token',
    description: 'Grafana service-account or cloud token',
    regex: re(String.raw`\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})`),
    keywords: ['glsa_', 'glc_'],
    entropy: 3,
  },
  {
    id: 'new-relic-user-key',
    description: 'New Relic user API key',
    regex: re(String.raw`\b(NRAK-[A-Za-z0-9]{27})\b`),
    keywords: ['nrak-'],
  },
  {
    id: 'postman-api-key',
    description: 'Postman API key',
    regex: re(String.raw`\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b`, 'i'),
    keywords: ['pmak-'],
  },
  // --- chat and messaging ---
  {
    id: 'slack-bot-token',
    description: 'Slack bot token',
    regex: re(String.raw`\b(xoxb-[0-9]{10,13}-[0-9]{10,13}[A-Za-z0-9\-]*)`),
    keywords: ['xoxb-'],
  },
  {
    id: 'slack-user-token',
    description: 'Slack user, workspace or refresh token',
    regex: re(String.raw`\b(xox[aepr]-(?:[0-9]{10,13}-){2,3}[A-Za-z0-9\-]{20,})`),
    keywords: ['xoxp-', 'xoxe-', 'xoxa-', 'xoxr-'],
  },
  {
    id: 'slack-app-token',
    description: 'Slack app-level token',
    regex: re(String.raw`\b(xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)`, 'i'),
    keywords: ['xapp-'],
  },
  {
    id: 'slack-webhook-url',
    description: 'Slack incoming webhook URL',
    regex: re(String.raw`(hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{20,})`),
    keywords: ['hooks.slack.com'],
  },
  {
    id: 'discord-bot-token',
    description: 'Discord bot token',
    regex: re(String.raw`\b([MNO][A-Za-z\d_\-]{23,27}\.[A-Za-z\d_\-]{6}\.[A-Za-z\d_\-]{27,40})(?![A-Za-z\d_\-])`),
    keywords: [],
    entropy: 3.5,
  },
  {
    id: 'discord-webhook-url',
    description: 'Discord webhook URL',
    regex: re(String.raw`(discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_\-]{60,})`),
    keywords: ['discord'],
  },
  {
    id: 'telegram-bot-token',
    description: 'Telegram bot token',
    regex: re(String.raw`\b(\d{8,10}:AA[0-9A-Za-z_\-]{33})(?![0-9A-Za-z_\-])`),
    keywords: [':aa'],
  },
  {
    id: 'microsoft-teams-webhook',
    description: 'Microsoft Teams incoming webhook URL',
    regex: re(
      String.raw`(https://[a-z0-9\-]+\.webhook\.office\.com/webhookb2/[a-z0-9\-]+@[a-z0-9\-]+/IncomingWebhook/[a-z0-9]+/[a-z0-9\-]+)`,
      'i',
    ),
    keywords: ['webhook.office.com'],
  },
  {
    id: 'twilio-api-key',
    description: 'Twilio API key',
    regex: re(String.raw`\b(SK[0-9a-fA-F]{32})\b`),
    keywords: ['sk'],
    entropy: 3,
  },
  {
    id: 'sendgrid-api-key',
    description: 'SendGrid API key',
    regex: re(String.raw`\b(SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}|SG\.[A-Za-z0-9_\-=]{66})(?![A-Za-z0-9_\-])`),
    keywords: ['sg.'],
  },
  {
    id: 'mailgun-api-key',
    description: 'Mailgun private API key',
    regex: re(String.raw`\b(key-[0-9a-f]{32})\b`),
    keywords: ['key-'],
    entropy: 3,
  },
  {
    id: 'mailchimp-api-key',
    description: 'Mailchimp API key',
    regex: re(String.raw`\b([0-9a-f]{32}-us\d{1,2})\b`),
    keywords: ['-us'],
    entropy: 3,
  },
  {
    id: 'notion-token',
    description: 'Notion integration token',
    regex: re(String.raw`\b(ntn_[0-9]{11}[A-Za-z0-9]{32,35}|secret_[A-Za-z0-9]{43})\b`),
    keywords: ['ntn_', 'secret_'],
    entropy: 3,
  },
  {
    id: 'linear-api-key',
    description: 'Linear API key',
    regex: re(String.raw`\b(lin_api_[A-Za-z0-9]{40})\b`),
    keywords: ['lin_api_'],
  },
  {
    id: 'airtable-pat',
    description: 'Airtable personal access token',
    regex: re(String.raw`\b(pat[A-Za-z0-9]{14}\.[a-f0-9]{64})\b`),
    keywords: ['pat'],
  },
  {
    id: 'twitter-bearer-token',
    description: 'Twitter/X API bearer token',
    regex: re(String.raw`\b(A{20,22}[A-Za-z0-9%]{80,})`),
    keywords: ['aaaaaaaaaaaaaaaaaaaa'],
  },
  {
    id: 'facebook-access-token',
    description: 'Facebook / Meta access token',
    regex: re(String.raw`\b(EAA[BCDGIZ][A-Za-z0-9]{90,})`),
    keywords: ['eaa'],
    entropy: 3.5,
  },
  {
    id: 'dropbox-token',
    description: 'Dropbox access token',
    regex: re(String.raw`\b(sl\.[A-Za-z0-9_\-]{130,})`),
    keywords: ['sl.'],
    entropy: 3.5,
  },
  {
    id: 'mapbox-secret-token',
    description: 'Mapbox secret token',
    regex: re(String.raw`\b(sk\.eyJ[A-Za-z0-9_\-]{50,}\.[A-Za-z0-9_\-]{20,})`),
    keywords: ['sk.eyj'],
  },
  // --- payments ---
  {
    id: 'stripe-secret-key',
    description: 'Stripe secret or restricted key',
    regex: re(String.raw`\b((?:sk|rk)_(?:live|test|prod)_[0-9a-zA-Z]{24,247})\b`),
    keywords: ['sk_live', 'sk_test', 'sk_prod', 'rk_live', 'rk_test', 'rk_prod'],
    entropy: 3,
  },
  {
    id: 'square-token',
    description: 'Square access token or OAuth secret',
    regex: re(
      String.raw`\b(sq0atp-[0-9A-Za-z_\-]{22,60}|sq0csp-[0-9A-Za-z_\-]{43}|EAAA[0-9A-Za-z_\-]{22,60})(?![0-9A-Za-z_\-])`,
    ),
    keywords: ['sq0atp-', 'sq0csp-', 'eaaa'],
    entropy: 3,
  },
  {
    id: 'paypal-braintree-token',
    description: 'PayPal Braintree access token',
    regex: re(String.raw`(access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})`),
    keywords: ['access_token$production$'],
  },
  {
    id: 'shopify-token',
    description: 'Shopify access token or shared secret',
    regex: re(String.raw`\b(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b`),
    keywords: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
  },
  {
    id: 'flutterwave-secret-key',
    description: 'Flutterwave secret key',
    regex: re(String.raw`\b(FLWSECK(?:_TEST)?-[a-h0-9]{32}-X)`, 'i'),
    keywords: ['flwseck'],
  },
  // --- AI providers and ML platforms ---
  {
    id: 'anthropic-api-key',
    description: 'Anthropic API key',
    // API and admin keys are 93 characters and a closing `AA`.
    regex: re(
      String.raw`\b(sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_\-]{93}AA|sk-ant-sid\d\d-[A-Za-z0-9_\-]{80,120})(?![A-Za-z0-9_\-])`,
    ),
    keywords: ['sk-ant-'],
    entropy: 3.5,
  },
  {
    id: 'openrouter-api-key',
    description: 'OpenRouter API key',
    regex: re(String.raw`\b(sk-or-v1-[a-f0-9]{64})\b`),
    keywords: ['sk-or-v1-'],
  },
  {
    id: 'openai-api-key',
    description: 'OpenAI API key',
    regex: re(String.raw`\b(sk-(?!ant-|or-v)(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{32,250})(?![A-Za-z0-9_\-])`),
    keywords: ['sk-'],
    entropy: 3.5,
    validate: openAiKeyShape,
  },
  {
    id: 'deepseek-api-key',
    description: 'DeepSeek API key',
    regex: re(String.raw`\b(sk-[a-f0-9]{32})\b`),
    keywords: ['sk-'],
    entropy: 3,
  },
  {
    id: 'huggingface-token',
    description: 'Hugging Face access token',
    // Real tokens are 34 letters; accept digits and a little length slack for older and fake-looking ones.
    regex: re(String.raw`\b((?:hf_|api_org_)[A-Za-z0-9]{30,40})\b`),
    keywords: ['hf_', 'api_org_'],
    entropy: 3,
  },
  {
    id: 'groq-api-key',
    description: 'Groq API key',
    regex: re(String.raw`\b(gsk_[A-Za-z0-9]{52})\b`),
    keywords: ['gsk_'],
  },
  {
    id: 'replicate-api-token',
    description: 'Replicate API token',
    regex: re(String.raw`\b(r8_[A-Za-z0-9]{37})\b`),
    keywords: ['r8_'],
  },
  {
    id: 'perplexity-api-key',
    description: 'Perplexity API key',
    regex: re(String.raw`\b(pplx-[A-Za-z0-9]{48})\b`),
    keywords: ['pplx-'],
  },
  {
    id: 'xai-api-key',
    description: 'xAI (Grok) API key',
    regex: re(String.raw`\b(xai-[A-Za-z0-9]{80})\b`),
    keywords: ['xai-'],
  },
  {
    id: 'langsmith-api-key',
    description: 'LangSmith API key',
    regex: re(String.raw`\b(lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})\b`),
    keywords: ['lsv2_'],
  },
  {
    id: 'pinecone-api-key',
    description: 'Pinecone API key',
    regex: re(String.raw`\b(pcsk_[A-Za-z0-9_]{50,})`),
    keywords: ['pcsk_'],
  },
  {
    id: 'nvidia-api-key',
    description: 'NVIDIA API key',
    regex: re(String.raw`\b(nvapi-[A-Za-z0-9_\-]{64})`),
    keywords: ['nvapi-'],
  },
  {
    id: 'wandb-api-key',
    description: 'Weights & Biases API key',
    regex: re(
      String.raw`wandb[\w.]{0,20}(?:\(\s*(?:key\s*=\s*)?|_?api_?key['"]?\s*\]?\s*(?:=|:|,)\s*|\s+login\s+(?:--relogin\s+)?)['"]?([a-f0-9]{40})(?![a-f0-9])`,
      'i',
    ),
    keywords: ['wandb'],
  },
  // --- Kaggle ---
  {
    id: 'kaggle-api-key',
    description: 'Kaggle API key (kaggle.json or KAGGLE_KEY)',
    regex: re(
      String.raw`['"]username['"]\s*:\s*['"][^'"\n]{1,64}['"]\s*,\s*['"]key['"]\s*:\s*['"]([a-f0-9]{32})['"]|['"]key['"]\s*:\s*['"]([a-f0-9]{32})['"]\s*,\s*['"]username['"]|KAGGLE_KEY['"]?\s*\]?\s*(?:=|:|,)\s*['"]?([a-f0-9]{32})(?![a-f0-9])`,
      'i',
    ),
    keywords: ['username', 'kaggle_key'],
  },
  {
    id: 'kaggle-api-token',
    description: 'Kaggle API token (KGAT_)',
    regex: re(String.raw`\b(KGAT_[A-Za-z0-9]{20,})`),
    keywords: ['kgat_'],
    entropy: 3,
  },
  // --- every other provider of gitleaks' default configuration (providers.ts) ---
  ...PROVIDER_RULES,
  // --- keys, tokens and credentials in any service ---
  {
    id: 'private-key',
    description: 'Private key (PEM, OpenSSH, PGP)',
    regex: re(
      String.raw`-----BEGIN[ A-Z0-9_\-]{0,100}PRIVATE KEY(?: BLOCK)?-----([\s\S]{64,20000}?)-----END[ A-Z0-9_\-]{0,100}PRIVATE KEY(?: BLOCK)?-----`,
    ),
    keywords: ['-----begin'],
  },
  {
    id: 'age-secret-key',
    description: 'age encryption secret key',
    regex: re(String.raw`\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b`),
    keywords: ['age-secret-key-1'],
  },
  {
    id: 'jwt',
    description: 'JSON Web Token (JWS or JWE)',
    regex: re(
      String.raw`\b(ey[A-Za-z0-9_\-]{10,}\.(?:ey[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}|[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}))`,
    ),
    keywords: ['ey'],
    entropy: 3,
    validate: jwtHeaderDecodes,
  },
  {
    id: 'url-password',
    description: 'Password in a URL or connection string',
    regex: re(
      String.raw`\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://([^\s:@/?#'"\x60]{0,100}):([^\s@/?#'"\x60]{1,200})@[^\s/?#'"@\x60]{2,}`,
    ),
    secretGroup: 2,
    keywords: ['://'],
    validate: urlPasswordIsReal,
  },
  {
    id: 'basic-auth-header',
    description: 'HTTP Basic authorization credentials',
    regex: re(String.raw`\bBasic\s+([A-Za-z0-9+/]{12,}={0,2})(?![A-Za-z0-9+/=])`),
    keywords: ['basic'],
    validate: basicAuthDecodes,
  },
  {
    id: 'client-constructor-key',
    description: 'API key passed positionally to a client, login or configure call',
    regex: re(
      String.raw`\b(?:Client|client|login|authenticate|configure|init|connect|Api|API)\s*\(\s*[rb]?['"]([A-Za-z0-9]{32,100})['"]`,
    ),
    keywords: ['client', 'login', 'authenticate', 'configure', 'init', 'connect', 'api'],
    entropy: 3,
    generic: true,
    validate: (context) => {
      const value = context.secret;
      if (!/[0-9]/.test(value) || !/[a-zA-Z]/.test(value)) return false;
      if (/^[0-9a-f]+$/.test(value)) return value.length === 32 || value.length === 40;
      return /[A-Z]/.test(value) && /[a-z]/.test(value) && !isPlaceholder(value);
    },
  },
  {
    id: 'bearer-token',
    description: 'HTTP bearer token',
    regex: re(String.raw`\b[Bb]earer\s+([A-Za-z0-9_\-.~+/]{20,}=*)`),
    keywords: ['bearer'],
    entropy: 3.5,
    generic: true,
  },
  {
    id: 'generic-api-key',
    description: 'Credential assigned to a key, token or secret name',
    regex: re(GENERIC_ASSIGNMENT, 'i'),
    secretGroup: [5, 6],
    keywords: ['key', 'secret', 'token', 'auth', 'credential', 'creds', 'appid'],
    generic: true,
    validate: (context) => secretNameKind(context.groups[1] ?? '') === 'key' && genericAssignmentIsSecret(context),
  },
  {
    id: 'generic-password',
    description: 'Password assigned to a password name',
    regex: re(GENERIC_ASSIGNMENT, 'i'),
    secretGroup: [5, 6],
    keywords: ['pass', 'pwd'],
    generic: true,
    validate: (context) => secretNameKind(context.groups[1] ?? '') === 'password' && genericAssignmentIsSecret(context),
  },
];

export const DEFAULT_RULES: SecretRule[] = TABLE.map((rule) => {
  const where = REVOKE[rule.id];
  return where ? { ...rule, description: withRevoke(rule.description, where) } : rule;
});
