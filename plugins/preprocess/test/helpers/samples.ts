/**
 * Realistic fake credentials, one or more per rule, built from a seeded generator so no whole token
 * sits in this repository's source. Each sample knows the secret part that must never be printed.
 */
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = '0123456789abcdef';
const B64URL = `${ALNUM}-_`;
const B64 = `${ALNUM}+/`;
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

let state = 0x2545f491;
export function reseed(seed: number): void {
  state = seed >>> 0 || 1;
}
function next(): number {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state;
}
export function rand(chars: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += chars[next() % chars.length];
  return out;
}
const uuid = (): string => `${rand(HEX, 8)}-${rand(HEX, 4)}-4${rand(HEX, 3)}-a${rand(HEX, 3)}-${rand(HEX, 12)}`;
const b64url = (text: string): string => Buffer.from(text).toString('base64url');

export interface Sample {
  rule: string;
  /** Variable (and metadata key) name the value is assigned to. */
  name: string;
  value: string;
  /** The part that must never appear whole in any output. */
  secret: string;
  /** Code line; default `name = "value"`. */
  code?: string;
  /** Output text; default `name=value` (as `%env` echoes it). */
  output?: string;
  /** Where the rule itself must fire; default code, output and metadata. */
  locations?: string[];
}

function sample(rule: string, name: string, value: string, secret = value, extra: Partial<Sample> = {}): Sample {
  return { rule, name, value, secret, ...extra };
}

export function buildSamples(): Sample[] {
  reseed(20260721);
  const pemBody = Array.from({ length: 20 }, () => rand(B64, 64)).join('\n');
  const pem = `-----BEGIN RSA PRIVATE KEY-----\nMIIE${pemBody}\n-----END RSA PRIVATE KEY-----`;
  const jwt = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${rand(DIGITS, 10)}","name":"svc","iat":1716239022}`)}.${rand(B64URL, 43)}`;
  const saKeyId = rand(HEX, 40);
  const kaggleKey = rand(HEX, 32);
  const wandbKey = rand(HEX, 40);
  const dbPassword = `${rand(ALNUM, 10)}!${rand(DIGITS, 2)}`;
  const basicUser = `svc_loader:${rand(ALNUM, 20)}`;
  const basic = Buffer.from(basicUser).toString('base64');
  const bearer = rand(`${ALNUM}-_.`, 40);
  const sas = `${rand(ALNUM, 43)}%3D`;
  return [
    sample('aws-access-key-id', 'AWS_ACCESS_KEY_ID', `AKIA${rand(B32, 16)}`),
    sample('aws-secret-access-key', 'aws_secret_access_key', rand(`${ALNUM}/+`, 40)),
    sample('aws-session-token', 'aws_session_token', `IQoJb3JpZ2luX2Vj${rand(`${ALNUM}/+`, 280)}`),
    sample('gcp-api-key', 'GOOGLE_API_KEY', `AIza${rand(B64URL, 35)}`),
    sample('gcp-service-account', 'private_key_id', saKeyId, saKeyId, {
      code: `sa_info = {"type": "service_account", "project_id": "demo-proj", "private_key_id": "${saKeyId}"}`,
      output: `{'type': 'service_account', 'private_key_id': '${saKeyId}'}`,
    }),
    sample('gcp-oauth-client-secret', 'client_secret', `GOCSPX-${rand(B64URL, 28)}`),
    sample('google-oauth-access-token', 'access_token', `ya29.${rand(B64URL, 120)}`),
    sample('google-oauth-refresh-token', 'refresh_token', `1//0${rand(B64URL, 60)}`),
    (() => {
      const key = `${rand(B64, 86)}==`;
      return sample(
        'azure-storage-account-key',
        'AZURE_CONN_STR',
        `DefaultEndpointsProtocol=https;AccountName=acmedata;AccountKey=${key};EndpointSuffix=core.windows.net`,
        key,
      );
    })(),
    sample(
      'azure-sas-token',
      'blob_url',
      `https://acmedata.blob.core.windows.net/raw/train.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-01-01T00:00:00Z&sig=${sas}`,
      sas,
    ),
    sample('azure-ad-client-secret', 'AZURE_CLIENT_SECRET', `${rand(ALNUM, 3)}8Q~${rand(`${ALNUM}_~.-`, 33)}z`),
    sample('alibaba-access-key-id', 'ALIBABA_ACCESS_KEY_ID', `LTAI${rand(ALNUM, 20)}`),
    sample('digitalocean-token', 'DO_TOKEN', `dop_v1_${rand(HEX, 64)}`),
    sample('databricks-api-token', 'DATABRICKS_TOKEN', `dapi${rand(HEX, 32)}`),
    sample('heroku-api-key', 'HEROKU_API_KEY', `HRKU-${rand(B64URL, 60)}`),
    sample('hashicorp-vault-token', 'VAULT_TOKEN', `hvs.${rand(B64URL, 95)}`),
    sample('terraform-cloud-token', 'TFC_TOKEN', `${rand(ALNUM, 14)}.atlasv1.${rand(ALNUM, 67)}`),
    sample('supabase-token', 'SUPABASE_ACCESS_TOKEN', `sbp_${rand(HEX, 40)}`),
    sample('github-pat', 'GITHUB_TOKEN', `ghp_${rand(ALNUM, 36)}`),
    sample('github-fine-grained-pat', 'GH_PAT', `github_pat_${rand(ALNUM, 22)}_${rand(ALNUM, 59)}`),
    sample('github-oauth-token', 'GH_OAUTH', `gho_${rand(ALNUM, 36)}`),
    sample('github-app-token', 'GH_APP_TOKEN', `ghs_${rand(ALNUM, 36)}`),
    sample('github-refresh-token', 'GH_REFRESH', `ghr_${rand(ALNUM, 36)}`),
    sample('gitlab-pat', 'GITLAB_TOKEN', `glpat-${rand(B64URL, 20)}`),
    sample('gitlab-ci-token', 'RUNNER_TOKEN', `glrt-${rand(ALNUM, 20)}`),
    sample('bitbucket-app-password', 'BITBUCKET_APP_PASSWORD', `ATBB${rand(ALNUM, 32)}`),
    sample('atlassian-api-token', 'JIRA_API_TOKEN', `ATATT3${rand(B64URL, 180)}`),
    sample('npm-access-token', 'NPM_TOKEN', `npm_${rand(ALNUM, 36)}`),
    sample('pypi-upload-token', 'TWINE_PASSWORD', `pypi-AgEIcHlwaS5vcmc${rand(B64URL, 70)}`),
    sample('dockerhub-pat', 'DOCKERHUB_TOKEN', `dckr_pat_${rand(ALNUM, 27)}`),
    sample('circleci-token', 'CIRCLE_TOKEN', `CCIPAT_${rand(ALNUM, 22)}_${rand(HEX, 40)}`),
    sample('buildkite-token', 'BUILDKITE_TOKEN', `bkua_${rand(HEX, 40)}`),
    sample('sentry-token', 'SENTRY_AUTH_TOKEN', `sntryu_${rand(HEX, 64)}`),
    sample('grafana-token', 'GRAFANA_TOKEN', `glsa_${rand(ALNUM, 32)}_${rand(HEX, 8)}`),
    sample('new-relic-user-key', 'NEW_RELIC_API_KEY', `NRAK-${rand(UPPER + DIGITS, 27)}`),
    sample('postman-api-key', 'POSTMAN_API_KEY', `PMAK-${rand(HEX, 24)}-${rand(HEX, 34)}`),
    sample('slack-bot-token', 'SLACK_BOT_TOKEN', `xoxb-${rand(DIGITS, 12)}-${rand(DIGITS, 13)}-${rand(ALNUM, 24)}`),
    sample(
      'slack-user-token',
      'SLACK_USER_TOKEN',
      `xoxp-${rand(DIGITS, 12)}-${rand(DIGITS, 12)}-${rand(DIGITS, 13)}-${rand(HEX, 32)}`,
    ),
    sample(
      'slack-app-token',
      'SLACK_APP_TOKEN',
      `xapp-1-A${rand(UPPER + DIGITS, 10)}-${rand(DIGITS, 13)}-${rand(HEX, 64)}`,
    ),
    (() => {
      const path = `T${rand(UPPER + DIGITS, 8)}/B${rand(UPPER + DIGITS, 10)}/${rand(ALNUM, 24)}`;
      return sample('slack-webhook-url', 'SLACK_WEBHOOK', `https://hooks.slack.com/services/${path}`, path);
    })(),
    sample('discord-bot-token', 'DISCORD_TOKEN', `M${rand(ALNUM, 25)}.${rand(B64URL, 6)}.${rand(B64URL, 38)}`),
    (() => {
      const path = `${rand(DIGITS, 18)}/${rand(B64URL, 68)}`;
      return sample('discord-webhook-url', 'DISCORD_WEBHOOK', `https://discord.com/api/webhooks/${path}`, path);
    })(),
    sample('telegram-bot-token', 'TELEGRAM_BOT_TOKEN', `${rand(DIGITS, 10)}:AA${rand(B64URL, 33)}`),
    sample(
      'microsoft-teams-webhook',
      'TEAMS_WEBHOOK',
      `https://acme.webhook.office.com/webhookb2/${uuid()}@${uuid()}/IncomingWebhook/${rand(HEX, 32)}/${uuid()}`,
    ),
    sample('twilio-api-key', 'TWILIO_API_KEY', `SK${rand(HEX, 32)}`),
    sample('sendgrid-api-key', 'SENDGRID_API_KEY', `SG.${rand(B64URL, 22)}.${rand(B64URL, 43)}`),
    sample('mailgun-api-key', 'MAILGUN_API_KEY', `key-${rand(HEX, 32)}`),
    sample('mailchimp-api-key', 'MAILCHIMP_API_KEY', `${rand(HEX, 32)}-us14`),
    sample('notion-token', 'NOTION_TOKEN', `ntn_${rand(DIGITS, 11)}${rand(ALNUM, 35)}`),
    sample('linear-api-key', 'LINEAR_API_KEY', `lin_api_${rand(ALNUM, 40)}`),
    sample('airtable-pat', 'AIRTABLE_TOKEN', `pat${rand(ALNUM, 14)}.${rand(HEX, 64)}`),
    sample('twitter-bearer-token', 'TWITTER_BEARER', `${'A'.repeat(22)}${rand(`${ALNUM}%`, 90)}`),
    // The documented example shape: 21 A's.
    sample('twitter-bearer-token', 'X_BEARER_TOKEN', `${'A'.repeat(21)}M${rand(`${ALNUM}%`, 95)}`),
    sample('facebook-access-token', 'FB_ACCESS_TOKEN', `EAAG${rand(ALNUM, 150)}`),
    sample('dropbox-token', 'DROPBOX_TOKEN', `sl.${rand(B64URL, 140)}`),
    sample('mapbox-secret-token', 'MAPBOX_SECRET', `sk.eyJ1Ijoi${rand(B64URL, 50)}.${rand(B64URL, 22)}`),
    sample('stripe-secret-key', 'STRIPE_SECRET_KEY', `sk_live_${rand(ALNUM, 99)}`),
    sample('square-token', 'SQUARE_SECRET', `sq0csp-${rand(B64URL, 43)}`),
    sample(
      'paypal-braintree-token',
      'BRAINTREE_TOKEN',
      `access_token$production$${rand(LOWER + DIGITS, 16)}$${rand(HEX, 32)}`,
    ),
    sample('shopify-token', 'SHOPIFY_TOKEN', `shpat_${rand(HEX, 32)}`),
    sample('flutterwave-secret-key', 'FLW_SECRET_KEY', `FLWSECK-${rand('abcdefgh0123456789', 32)}-X`),
    sample('anthropic-api-key', 'ANTHROPIC_API_KEY', `sk-ant-api03-${rand(B64URL, 93)}AA`),
    sample('openrouter-api-key', 'OPENROUTER_API_KEY', `sk-or-v1-${rand(HEX, 64)}`),
    sample('openai-api-key', 'OPENAI_API_KEY', `sk-proj-${rand(B64URL, 74)}T3BlbkFJ${rand(B64URL, 74)}`),
    sample('deepseek-api-key', 'DEEPSEEK_API_KEY', `sk-${rand(HEX, 32)}`),
    sample('huggingface-token', 'HF_TOKEN', `hf_${rand(UPPER + LOWER, 34)}`),
    sample('huggingface-token', 'HUGGINGFACE_TOKEN', `hf_${rand(ALNUM, 34)}`),
    sample('groq-api-key', 'GROQ_API_KEY', `gsk_${rand(ALNUM, 52)}`),
    sample('replicate-api-token', 'REPLICATE_API_TOKEN', `r8_${rand(ALNUM, 37)}`),
    sample('perplexity-api-key', 'PPLX_API_KEY', `pplx-${rand(ALNUM, 48)}`),
    sample('xai-api-key', 'XAI_API_KEY', `xai-${rand(ALNUM, 80)}`),
    sample('langsmith-api-key', 'LANGCHAIN_API_KEY', `lsv2_pt_${rand(HEX, 32)}_${rand(HEX, 10)}`),
    sample('pinecone-api-key', 'PINECONE_API_KEY', `pcsk_${rand(ALNUM, 6)}_${rand(ALNUM, 60)}`),
    sample('nvidia-api-key', 'NVIDIA_API_KEY', `nvapi-${rand(B64URL, 64)}`),
    sample('wandb-api-key', 'WANDB_API_KEY', wandbKey, wandbKey, { code: `wandb.login(key="${wandbKey}")` }),
    sample('kaggle-api-key', 'KAGGLE_KEY', kaggleKey, kaggleKey, {
      code: `os.environ["KAGGLE_KEY"] = "${kaggleKey}"`,
    }),
    sample('kaggle-api-token', 'KAGGLE_API_TOKEN', `KGAT_${rand(HEX, 32)}`),
    sample('private-key', 'private_key', pem, pemBody.slice(0, 64), {
      code: `PRIVATE_KEY = """${pem}"""`,
      output: pem,
    }),
    sample('age-secret-key', 'AGE_KEY', `AGE-SECRET-KEY-1${rand('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}`),
    sample('jwt', 'session_jwt', jwt),
    sample(
      'url-password',
      'DATABASE_URL',
      `postgresql://analyst:${dbPassword}@db.acme-corp.net:5432/warehouse`,
      dbPassword,
    ),
    sample('basic-auth-header', 'AUTH_HEADER', `Basic ${basic}`, basic),
    (() => {
      const key = rand(ALNUM, 40);
      return sample('client-constructor-key', 'co', key, key, {
        code: `co = cohere.Client("${key}")`,
        output: `client = cohere.Client("${key}")`,
        // A call cannot sit in metadata; there the value is only a bare string.
        locations: ['code', 'output'],
      });
    })(),
    sample('bearer-token', 'AUTH_HEADER', `Bearer ${bearer}`, bearer),
    sample('generic-api-key', 'WEATHER_API_KEY', rand(ALNUM, 32)),
    sample('generic-password', 'DB_PASSWORD', `${rand(ALNUM, 12)}#${rand(DIGITS, 2)}`),
  ];
}

/** A notebook holding the sample in a code cell, a stream output and the notebook metadata. */
export function sampleNotebook(s: Sample): Record<string, unknown> {
  const code = s.code ?? `${s.name} = "${s.value}"`;
  const output = s.output ?? `${s.name}=${s.value}`;
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      papermill: { parameters: { [s.name]: s.value } },
    },
    cells: [
      { cell_type: 'markdown', id: 'intro', metadata: {}, source: '# Loading data' },
      { cell_type: 'code', id: 'setup', execution_count: 1, metadata: {}, outputs: [], source: `import os\n${code}\n` },
      {
        cell_type: 'code',
        id: 'show',
        execution_count: 2,
        metadata: {},
        source: 'print(config)',
        outputs: [{ output_type: 'stream', name: 'stdout', text: `loaded config\n${output}\n` }],
      },
    ],
  };
}
