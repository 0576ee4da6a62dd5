/**
 * IAM in the query protocol: `POST /` with a form body (`Action=...&Version=2010-05-08`), XML answers,
 * errors as `ErrorResponse > Error{Type, Code, Message}` (contract §2.2).
 */
import { randomUUID } from 'node:crypto';
import type { AwsFakeState, FakeRole } from './state.js';

export interface XmlReply {
  status: number;
  body: string;
}

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function iamError(status: number, code: string, message: string): XmlReply {
  return {
    status,
    body: `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${esc(code)}</Code><Message>${esc(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

function ok(action: string, result: string): XmlReply {
  const inner = result === '' ? '' : `<${action}Result>${result}</${action}Result>`;
  return {
    status: 200,
    body: `<${action}Response xmlns="${NS}">${inner}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

function roleXml(role: FakeRole): string {
  const tags = Object.entries(role.tags)
    .map(([k, v]) => `<member><Key>${esc(k)}</Key><Value>${esc(v)}</Value></member>`)
    .join('');
  return `<Role>${tags ? `<Tags>${tags}</Tags>` : ''}<Path>${esc(role.path)}</Path><RoleName>${esc(role.name)}</RoleName><RoleId>${role.roleId}</RoleId><Arn>${esc(role.arn)}</Arn><CreateDate>${role.createDate}</CreateDate><AssumeRolePolicyDocument>${esc(encodeURIComponent(role.assumeRolePolicyDocument))}</AssumeRolePolicyDocument></Role>`;
}

/** `Tags.member.N.Key` / `Tags.member.N.Value` of a query request. */
function tagsOf(params: URLSearchParams): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let n = 1; params.has(`Tags.member.${n}.Key`); n++) {
    tags[params.get(`Tags.member.${n}.Key`) ?? ''] = params.get(`Tags.member.${n}.Value`) ?? '';
  }
  return tags;
}

function required(params: URLSearchParams, name: string): string | XmlReply {
  const value = params.get(name);
  if (value === null || value === '') {
    return iamError(
      400,
      'ValidationError',
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

/** Answers one IAM action. `propagationFailures` is how many CreateFunction calls a new role fails. */
export function handleIam(state: AwsFakeState, params: URLSearchParams, propagationFailures: number): XmlReply {
  const action = params.get('Action') ?? '';
  if (params.get('Version') !== '2010-05-08') {
    return iamError(400, 'InvalidParameterValue', `Version must be 2010-05-08, got ${params.get('Version')}`);
  }
  const roleName = () => required(params, 'RoleName');
  switch (action) {
    case 'GetRole': {
      const name = roleName();
      if (typeof name !== 'string') return name;
      const role = state.roles.get(name);
      if (!role) return iamError(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`);
      return ok(action, roleXml(role));
    }
    case 'CreateRole': {
      const name = roleName();
      if (typeof name !== 'string') return name;
      const doc = required(params, 'AssumeRolePolicyDocument');
      if (typeof doc !== 'string') return doc;
      try {
        JSON.parse(doc);
      } catch {
        return iamError(400, 'MalformedPolicyDocument', 'This policy contains invalid Json');
      }
      if (state.roles.has(name)) return iamError(409, 'EntityAlreadyExists', `Role with name ${name} already exists.`);
      const path = params.get('Path') ?? '/';
      const role: FakeRole = {
        name,
        path,
        arn: `arn:aws:iam::${state.accountId}:role${path}${name}`,
        roleId: `AROA${randomUUID().replace(/-/g, '').slice(0, 17).toUpperCase()}`,
        createDate: new Date().toISOString(),
        assumeRolePolicyDocument: doc,
        attachedPolicies: [],
        tags: tagsOf(params),
        propagationFailuresLeft: propagationFailures,
      };
      state.roles.set(name, role);
      return ok(action, roleXml(role));
    }
    case 'AttachRolePolicy':
    case 'DetachRolePolicy': {
      const name = roleName();
      if (typeof name !== 'string') return name;
      const policyArn = required(params, 'PolicyArn');
      if (typeof policyArn !== 'string') return policyArn;
      const role = state.roles.get(name);
      if (!role) return iamError(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`);
      if (action === 'AttachRolePolicy') {
        if (!policyArn.startsWith('arn:aws:iam::'))
          return iamError(400, 'InvalidInput', `ARN ${policyArn} is not valid.`);
        if (!role.attachedPolicies.includes(policyArn)) role.attachedPolicies.push(policyArn);
      } else {
        if (!role.attachedPolicies.includes(policyArn)) {
          return iamError(404, 'NoSuchEntity', `Policy ${policyArn} was not found.`);
        }
        role.attachedPolicies = role.attachedPolicies.filter((p) => p !== policyArn);
      }
      return ok(action, '');
    }
    case 'ListAttachedRolePolicies': {
      const name = roleName();
      if (typeof name !== 'string') return name;
      const role = state.roles.get(name);
      if (!role) return iamError(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`);
      const members = role.attachedPolicies
        .map(
          (arn) =>
            `<member><PolicyName>${esc(arn.split('/').pop() ?? arn)}</PolicyName><PolicyArn>${esc(arn)}</PolicyArn></member>`,
        )
        .join('');
      return ok(action, `<AttachedPolicies>${members}</AttachedPolicies><IsTruncated>false</IsTruncated>`);
    }
    case 'DeleteRole': {
      const name = roleName();
      if (typeof name !== 'string') return name;
      const role = state.roles.get(name);
      if (!role) return iamError(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`);
      if (role.attachedPolicies.length > 0) {
        return iamError(409, 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
      }
      state.roles.delete(name);
      return ok(action, '');
    }
    default:
      return iamError(400, 'InvalidAction', `Could not find operation ${action} for version 2010-05-08`);
  }
}
