import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubernetesManifests } from '../../../cli/export/kubernetes-manifests.js';
import { newService } from '../../../cli/fleet-model/defaults.js';
import { kubernetesObjects } from '../../helpers/export-validators.js';

/**
 * The kubelet's expansion of a container's command and args, as the Kubernetes API reference
 * says it: `$(VAR)` becomes the container's variable VAR when it has one (else stays as it is),
 * `$$` is one `$`, and an escaped reference is never expanded.
 */
function kubeletExpand(text: string, env: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '$' && text[i + 1] === '$') {
      out += '$';
      i += 1;
      continue;
    }
    const ref = text[i] === '$' ? /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)/.exec(text.slice(i)) : null;
    if (ref && ref[1]! in env) {
      out += env[ref[1]!];
      i += ref[0].length - 1;
    } else out += text[i];
  }
  return out;
}

const word = fc.string({ unit: fc.constantFrom('$', '(', ')', 'HOME', 'PORT', 'X', ' ', '"', "'", '\\', 'é', '{', '}') });
const argv = fc.array(word, { minLength: 1, maxLength: 5 }).map((words) => ['/bin/run', ...words]);
const ENV = { HOME: '/home/app', PORT: '8000', X: 'x' };

describe('$( in Kubernetes commands', () => {
  it('the kubelet runs exactly the argv zmart runs, and every object passes kubernetes-models validation (500 runs)', () => {
    fc.assert(
      fc.property(argv, (command) => {
        const service = { ...newService('api', command, '/app'), env: { plain: ENV, secret: {} } };
        const { document } = kubernetesManifests({ name: 'f', root: '/app', source: null, services: [service], plugins: [] }, { image: 'x:1' });
        const objects = kubernetesObjects(document.map((o) => stringify(o)).join('---\n'));
        const container = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0];
        const env = objects.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>;
        expect((container.command as string[]).map((w) => kubeletExpand(w, env))).toEqual(command);
      }),
      { numRuns: 500 },
    );
    // and the check can fail: written as it is, $(HOME) would have been the container's HOME
    expect(kubeletExpand('echo $(HOME)', ENV)).toBe('echo /home/app');
  });
});
