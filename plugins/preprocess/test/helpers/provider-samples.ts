/**
 * Fake credentials for the provider rules (src/secrets/providers.ts), one per rule, each built at
 * run time from the provider's documented format (prefix, alphabet, length) with the seeded
 * generator, so no whole token sits in this file. Names are the variables notebooks use.
 */
import { rand, type Sample } from './samples.ts';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const AN = UPPER + LOWER + DIGITS;
const LOWER_AN = LOWER + DIGITS;
const HEX = '0123456789abcdef';
const B64 = `${AN}+/`;
const URLSAFE = `${AN}-_`;

const an = (n: number): string => rand(AN, n);
const hex = (n: number): string => rand(HEX, n);
const uuid = (): string => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
/** Alphanumeric with at least one digit, one upper and one lower letter (a key, never a word). */
const mixed = (n: number): string => `${rand(UPPER, 1)}${rand(DIGITS, 1)}${rand(LOWER, 1)}${an(n - 3)}`;

const s = (rule: string, name: string, value: string, extra: Partial<Sample> = {}): Sample => ({
  rule,
  name,
  value,
  secret: value,
  ...extra,
});

export function providerSamples(): Sample[] {
  const k8sValue = Buffer.from(`p${mixed(14)}`).toString('base64');
  const k8s = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: warehouse\ntype: Opaque\ndata:\n  password: ${k8sValue}`;
  const nugetPassword = `${mixed(10)}!${rand(DIGITS, 2)}`;
  const curlPassword = `${mixed(11)}~${rand(DIGITS, 2)}`;
  const headerToken = `${hex(20)}${rand(DIGITS, 2)}${hex(18)}`;
  const sidekiq = `${hex(8)}:${hex(8)}`;
  return [
    s('1password-service-account-token', 'OP_SERVICE_ACCOUNT_TOKEN', `ops_eyJ${rand(B64, 260)}`),
    s(
      '1password-secret-key',
      'OP_SECRET_KEY',
      `A3-${rand(UPPER + DIGITS, 6)}-${rand(UPPER + DIGITS, 11)}-${rand(UPPER + DIGITS, 5)}-${rand(UPPER + DIGITS, 5)}-${rand(UPPER + DIGITS, 5)}`,
    ),
    s('doppler-api-token', 'DOPPLER_TOKEN', `dp.st.${an(43)}`),
    s(
      'authress-service-client-access-key',
      'AUTHRESS_KEY',
      `sc_${an(12)}.${an(5)}.acc_${rand(LOWER_AN, 16)}.${rand(B64, 64)}`,
    ),
    s('okta-access-token', 'OKTA_API_TOKEN', `00${rand(URLSAFE, 40)}`),
    s('vault-service-token-legacy', 'VAULT_TOKEN', `s.${mixed(24)}`),
    s('hashicorp-tf-password', 'administrator_login_password', `${mixed(14)}`),
    s('aws-bedrock-api-key-long-lived', 'AWS_BEARER_TOKEN_BEDROCK', `ABSK${rand(B64, 120)}`),
    s(
      'aws-bedrock-api-key-short-lived',
      'AWS_BEARER_TOKEN_BEDROCK',
      `bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t${rand(B64, 40)}`,
    ),
    s('alibaba-secret-key', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', mixed(30)),
    s('cloudflare-global-api-key', 'CLOUDFLARE_API_KEY', hex(37)),
    s('cloudflare-api-key', 'CLOUDFLARE_API_TOKEN', rand(URLSAFE, 40)),
    s('cloudflare-origin-ca-key', 'ORIGIN_CA_KEY', `v1.0-${hex(24)}-${hex(146)}`),
    s('yandex-aws-access-token', 'YANDEX_ACCESS_KEY', `YC${rand(URLSAFE, 38)}`),
    s('yandex-api-key', 'YANDEX_API_KEY', `AQVN${rand(URLSAFE, 36)}`),
    s('yandex-access-token', 'YANDEX_IAM_TOKEN', `t1.${rand(URLSAFE, 30)}.${rand(URLSAFE, 86)}`),
    s('flyio-access-token', 'FLY_API_TOKEN', `fo1_${rand(URLSAFE, 43)}`),
    s('netlify-access-token', 'NETLIFY_AUTH_TOKEN', rand(URLSAFE, 43)),
    s('scalingo-api-token', 'SCALINGO_API_TOKEN', `tk-us-${rand(URLSAFE, 48)}`),
    s('pulumi-api-token', 'PULUMI_ACCESS_TOKEN', `pul-${hex(40)}`),
    s('planetscale-password', 'DATABASE_PASSWORD', `pscale_pw_${an(43)}`),
    s('planetscale-api-token', 'PLANETSCALE_SERVICE_TOKEN', `pscale_tkn_${an(43)}`),
    s('planetscale-oauth-token', 'PLANETSCALE_OAUTH', `pscale_oauth_${an(43)}`),
    s('clickhouse-cloud-api-secret-key', 'CLICKHOUSE_KEY_SECRET', `4b1d${an(38)}`),
    s('confluent-access-token', 'CONFLUENT_API_KEY', mixed(16)),
    s('confluent-secret-key', 'CONFLUENT_API_SECRET', mixed(64)),
    s('openshift-user-token', 'OPENSHIFT_TOKEN', `sha256~${rand(URLSAFE, 43)}`),
    s('defined-networking-api-token', 'NEBULA_DNKEY', `dnkey-${rand(LOWER_AN, 26)}-${rand(LOWER_AN, 52)}`),
    s('gitlab-feature-flag-client-token', 'UNLEASH_TOKEN', `glffct-${an(20)}`),
    s('gitlab-feed-token', 'GITLAB_FEED', `glft-${an(20)}`),
    s('gitlab-incoming-mail-token', 'GITLAB_MAIL', `glimt-${an(25)}`),
    s('gitlab-kubernetes-agent-token', 'AGENT_TOKEN', `glagent-${an(50)}`),
    s('gitlab-oauth-app-secret', 'GITLAB_APP_SECRET', `gloas-${an(64)}`),
    s('gitlab-scim-token', 'SCIM_TOKEN', `glsoat-${an(20)}`),
    (() => {
      const session = rand(LOWER_AN, 32);
      return s('gitlab-session-cookie', 'cookie', `_gitlab_session=${session}`, { secret: session });
    })(),
    s('bitbucket-client-id', 'BITBUCKET_CLIENT_ID', mixed(32)),
    s('bitbucket-client-secret', 'BITBUCKET_CLIENT_SECRET', mixed(64)),
    s('codecov-access-token', 'CODECOV_TOKEN', mixed(32)),
    s('droneci-access-token', 'DRONE_TOKEN', mixed(32)),
    s('travisci-access-token', 'TRAVIS_TOKEN', mixed(22)),
    s('jfrog-identity-token', 'JFROG_ACCESS_TOKEN', mixed(64)),
    s('jfrog-api-key', 'ARTIFACTORY_KEY', mixed(73)),
    s('artifactory-api-key', 'RT_KEY', `AKCp${mixed(69)}`),
    s('artifactory-reference-token', 'RT_REF', `cmVmd${mixed(59)}`),
    s('clojars-api-token', 'CLOJARS_DEPLOY', `CLOJARS_${rand(LOWER_AN, 60)}`),
    s('rubygems-api-token', 'GEM_HOST_API_KEY', `rubygems_${hex(48)}`),
    s('readme-api-token', 'README_API_KEY', `rdme_${rand(LOWER_AN, 70)}`),
    s('prefect-api-token', 'PREFECT_API_KEY', `pnu_${an(36)}`),
    s('harness-api-key', 'HARNESS_PAT', `pat.${rand(URLSAFE, 22)}.${an(24)}.${an(20)}`),
    s('infracost-api-token', 'INFRACOST_API_KEY', `ico-${an(32)}`),
    s('octopus-deploy-api-key', 'OCTOPUS_CLI', `API-${rand(UPPER + DIGITS, 26)}`),
    s('sonar-api-token', 'SONAR_TOKEN', `squ_${rand(LOWER_AN, 40)}`),
    s('snyk-api-token', 'SNYK_TOKEN', uuid()),
    s('sourcegraph-access-token', 'SRC_ACCESS_TOKEN', `sgp_${hex(16)}_${hex(40)}`),
    s('sourcegraph-access-token-bare', 'SOURCEGRAPH_TOKEN', hex(40)),
    s('sidekiq-secret', 'BUNDLE_GEMS__CONTRIBSYS__COM', sidekiq),
    s('sidekiq-sensitive-url', 'SIDEKIQ_SOURCE', `https://${sidekiq}@gems.contribsys.com/`, { secret: sidekiq }),
    s('nuget-config-password', 'nuget', nugetPassword, {
      code: `%%writefile NuGet.Config\n<packageSourceCredentials><feed>\n  <add key="ClearTextPassword" value="${nugetPassword}" />\n</feed></packageSourceCredentials>`,
      output: `<add key="ClearTextPassword" value="${nugetPassword}" />`,
      locations: ['code', 'output'],
    }),
    s(
      'slack-legacy-token',
      'SLACK_LEGACY',
      `xoxs-${rand(DIGITS, 10)}-${rand(DIGITS, 11)}-${rand(DIGITS, 12)}-${hex(64)}`,
    ),
    s('slack-legacy-workspace-token', 'SLACK_WORKSPACE', `xoxa-2-${mixed(30)}`),
    s('slack-legacy-bot-token', 'SLACK_BOT', `xoxb-${rand(DIGITS, 9)}-${rand(LOWER, 1)}${mixed(21)}`),
    s('slack-config-access-token', 'SLACK_CONFIG_TOKEN', `xoxe.xoxp-1-${mixed(164)}`),
    s('slack-config-refresh-token', 'SLACK_CONFIG_REFRESH', `xoxe-1-${mixed(146)}`),
    s('mattermost-access-token', 'MATTERMOST_TOKEN', mixed(26)),
    s('messagebird-api-token', 'MESSAGEBIRD_API_KEY', mixed(25)),
    s('messagebird-client-id', 'MESSAGEBIRD_CLIENT_ID', uuid()),
    s('sendinblue-api-token', 'BREVO_API_KEY', `xkeysib-${hex(64)}-${an(16)}`),
    s('mailgun-pub-key', 'MAILGUN_PUBLIC_KEY', `pubkey-${hex(32)}`),
    s(
      'mailgun-signing-key',
      'MAILGUN_SIGNING_KEY',
      `${rand('abcdefgh0123456789', 32)}-${rand('abcdefgh0123456789', 8)}-${rand('abcdefgh0123456789', 8)}`,
    ),
    s('sendbird-access-id', 'SENDBIRD_APP_ID', uuid()),
    s('sendbird-access-token', 'SENDBIRD_API_TOKEN', hex(40)),
    s('intercom-api-key', 'INTERCOM_TOKEN', rand(URLSAFE, 60)),
    s('zendesk-secret-key', 'ZENDESK_API_TOKEN', mixed(40)),
    s('gitter-access-token', 'GITTER_TOKEN', rand(URLSAFE, 40)),
    s('discord-api-token', 'DISCORD_PUBLIC_KEY', hex(64)),
    s('discord-client-id', 'DISCORD_CLIENT_ID', `1${rand(DIGITS, 17)}`),
    s('discord-client-secret', 'DISCORD_CLIENT_SECRET', mixed(32)),
    s('telegram-bot-api-token', 'TELEGRAM_TOKEN', `${rand(DIGITS, 12)}:A${rand(URLSAFE, 34)}`),
    s('twitch-api-token', 'TWITCH_CLIENT_SECRET', mixed(30)),
    s('twitter-api-key', 'TWITTER_API_KEY', mixed(25)),
    s('twitter-api-secret', 'TWITTER_API_SECRET', mixed(50)),
    s('twitter-access-token', 'TWITTER_ACCESS_TOKEN', `${rand(DIGITS, 19)}-${mixed(30)}`),
    s('twitter-access-secret', 'TWITTER_ACCESS_SECRET', mixed(45)),
    s('linkedin-client-id', 'LINKEDIN_CLIENT_ID', mixed(14)),
    s('linkedin-client-secret', 'LINKEDIN_CLIENT_SECRET', mixed(16)),
    s('facebook-secret', 'FACEBOOK_APP_SECRET', hex(32)),
    s('facebook-app-access-token', 'FACEBOOK_APP_TOKEN', `${rand(DIGITS, 15)}|${rand(URLSAFE, 27)}`),
    s('facebook-page-access-token', 'PAGE_TOKEN', `EAAM${an(120)}`),
    s('nytimes-access-token', 'NYTIMES_API_KEY', mixed(32)),
    s('beamer-api-token', 'BEAMER_API_KEY', `b_${rand(URLSAFE, 44)}`),
    s('typeform-api-token', 'TYPEFORM_TOKEN', `tfp_${rand(URLSAFE, 59)}`),
    s('plaid-client-id', 'PLAID_CLIENT_ID', mixed(24)),
    s('plaid-secret-key', 'PLAID_SECRET', mixed(30)),
    s('plaid-api-token', 'PLAID_ACCESS_TOKEN', `access-sandbox-${uuid()}`),
    s('duffel-api-token', 'DUFFEL_ACCESS_TOKEN', `duffel_test_${rand(URLSAFE, 43)}`),
    s('lob-api-key', 'LOB_API_KEY', `live_${hex(35)}`),
    s('lob-pub-api-key', 'LOB_PUBLISHABLE_KEY', `test_pub_${hex(31)}`),
    s('easypost-api-token', 'EASYPOST_API_KEY', `EZAK${an(54)}`),
    s('easypost-test-api-token', 'EASYPOST_TEST_KEY', `EZTK${an(54)}`),
    s('shippo-api-token', 'SHIPPO_TOKEN', `shippo_live_${hex(40)}`),
    s('gocardless-api-token', 'GOCARDLESS_ACCESS_TOKEN', `live_${rand(URLSAFE, 40)}`),
    s('finicity-client-secret', 'FINICITY_PARTNER_SECRET', mixed(20)),
    s('finicity-api-token', 'FINICITY_APP_KEY', hex(32)),
    s('finnhub-access-token', 'FINNHUB_API_KEY', mixed(20)),
    s('coinbase-access-token', 'COINBASE_API_SECRET', rand(URLSAFE, 64)),
    s('kraken-access-token', 'KRAKEN_PRIVATE_KEY', rand(`${AN}/+`, 86)),
    s('kucoin-access-token', 'KUCOIN_API_KEY', hex(24)),
    s('kucoin-secret-key', 'KUCOIN_API_SECRET', uuid()),
    s('bittrex-access-key', 'BITTREX_API_KEY', mixed(32)),
    s('flutterwave-public-key', 'FLW_PUBLIC_KEY', `FLWPUBK_TEST-${rand('abcdefgh0123456789', 32)}-X`),
    s('flutterwave-encryption-key', 'FLW_ENCRYPTION_KEY', `FLWSECK_TEST${rand('abcdefgh0123456789', 12)}`),
    s('squarespace-access-token', 'SQUARESPACE_API_KEY', uuid()),
    s('etsy-access-token', 'ETSY_API_KEY', mixed(24)),
    s('freshbooks-access-token', 'FRESHBOOKS_TOKEN', mixed(64)),
    (() => {
      const key = `sk_${mixed(26)}#${rand(DIGITS, 2)}`;
      return s('freemius-secret-key', 'freemius', key, {
        code: `%%writefile config.php\n<?php $fs = array("secret_key" => "${key}");`,
        output: `"secret_key" => "${key}"`,
        locations: ['code', 'output'],
      });
    })(),
    s('datadog-access-token', 'DATADOG_APP_KEY', mixed(40)),
    s('dynatrace-api-token', 'DT_API_TOKEN', `dt0c01.${rand(UPPER + DIGITS, 24)}.${rand(UPPER + DIGITS, 64)}`),
    s('new-relic-user-api-id', 'NEW_RELIC_USER_ID', mixed(64)),
    s('new-relic-browser-api-token', 'NEW_RELIC_BROWSER_TOKEN', `NRJS-${hex(19)}`),
    s('new-relic-insert-key', 'NEW_RELIC_INSERT_KEY', `NRII-${rand(`${LOWER_AN}-`, 32)}`),
    s('sumologic-access-id', 'SUMO_ACCESS_ID', `su${mixed(12)}`),
    s('sumologic-access-token', 'SUMO_ACCESS_KEY', mixed(64)),
    s('launchdarkly-access-token', 'LAUNCHDARKLY_ACCESS_TOKEN', rand(URLSAFE, 40)),
    s('contentful-delivery-api-token', 'CONTENTFUL_DELIVERY_TOKEN', rand(URLSAFE, 43)),
    s('looker-client-id', 'LOOKER_CLIENT_ID', mixed(20)),
    s('looker-client-secret', 'LOOKER_CLIENT_SECRET', mixed(24)),
    s('hubspot-api-key', 'HUBSPOT_API_KEY', uuid().toUpperCase()),
    s('asana-client-id', 'ASANA_CLIENT_ID', `1${rand(DIGITS, 15)}`),
    s('asana-client-secret', 'ASANA_CLIENT_SECRET', mixed(32)),
    s('airtable-api-key', 'AIRTABLE_API_KEY', `key${mixed(14)}`),
    s('algolia-api-key', 'ALGOLIA_ADMIN_KEY', mixed(32)),
    s('adafruit-api-key', 'ADAFRUIT_IO_KEY', rand(URLSAFE, 32)),
    s('adobe-client-id', 'ADOBE_CLIENT_ID', hex(32)),
    s('adobe-client-secret', 'ADOBE_CLIENT_SECRET', `p8e-${an(32)}`),
    s('heroku-api-key-uuid', 'HEROKU_API_KEY', uuid()),
    s('mapbox-api-token', 'MAPBOX_TOKEN', `pk.${mixed(60)}.${mixed(22)}`),
    s('maxmind-license-key', 'MAXMIND_LICENSE_KEY', `${an(6)}_${an(29)}_mmk`),
    s('cisco-meraki-api-key', 'MERAKI_DASHBOARD_API_KEY', `${hex(19)}a1${hex(19)}`),
    s('rapidapi-access-token', 'RAPIDAPI_KEY', rand(URLSAFE, 50)),
    s('privateai-api-token', 'PRIVATE_AI_API_KEY', mixed(32)),
    s('cohere-api-token', 'COHERE_API_KEY', mixed(40)),
    s('intra42-client-secret', 'FT_SECRET', `s-s4t2ud-${hex(64)}`),
    s('frameio-api-token', 'FRAMEIO_TOKEN', `fio-u-${rand(URLSAFE, 64)}`),
    s('settlemint-token', 'SETTLEMINT_ACCESS_TOKEN', `sm_pat_${mixed(16)}`),
    s('grafana-api-key', 'GRAFANA_API_KEY', `eyJrIjoi${an(80)}`),
    s('fastly-api-token', 'FASTLY_API_TOKEN', rand(URLSAFE, 32)),
    s('flickr-access-token', 'FLICKR_API_KEY', mixed(32)),
    s('trello-access-token', 'TRELLO_TOKEN', mixed(64)),
    s('linear-client-secret', 'LINEAR_CLIENT_SECRET', hex(32)),
    s('sentry-access-token', 'SENTRY_TOKEN', hex(64)),
    s('dropbox-api-token', 'DROPBOX_APP_KEY', mixed(15)),
    s('kubernetes-secret-yaml', 'manifest', k8sValue, {
      code: `%%writefile secret.yaml\n${k8s}\n`,
      output: k8s,
      locations: ['code', 'output'],
    }),
    s('gcp-service-account-json', 'sa', 'service_account', {
      code: `creds = {"type": "service_account", "project_id": "forecast-prod"}`,
      output: `{"type": "service_account", "project_id": "forecast-prod"}`,
      locations: ['code', 'output'],
    }),
    s('curl-auth-user', 'cmd', `analyst:${curlPassword}`, {
      secret: curlPassword,
      code: `!curl -s --user analyst:${curlPassword} https://api.acme-corp.net/v1/me`,
      output: `curl -s -u "analyst:${curlPassword}" https://api.acme-corp.net/v1/me`,
      locations: ['code', 'output'],
    }),
    s('authorization-header', 'Authorization', `Token ${headerToken}`, {
      secret: headerToken,
      code: `headers = {"Authorization": "Token ${headerToken}"}`,
      output: `Authorization: Token ${headerToken}`,
    }),
  ];
}
