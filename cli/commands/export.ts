import { meant } from '../../core/config/suggest.js';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../core/config/load.js';
import { ZmartError } from '../../core/errors.js';
import { builtinPlugins } from '../builtins.js';
import { oneLine, slug } from '../export/carried.js';
import type { ExportedFile } from '../export/exported.js';
import { deployedFleet } from '../fleet-model/from-config.js';
import type { DeployedFleet } from '../fleet-model/model.js';
import type { Output } from '../output.js';

const TARGETS = ['systemd', 'compose', 'kubernetes'] as const;
type Target = (typeof TARGETS)[number];

/** systemd 254 added RestartSteps and RestartMaxDelaySec (the growing backoff). */
function systemdVersion(): number {
  try {
    return Number(/systemd (\d+)/.exec(execFileSync('systemctl', ['--version'], { encoding: 'utf8' }))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The files of one target and how to use them, everything made before anything is written. */
interface Written {
  files: ExportedFile[];
  notCarried: string[];
  use: string[];
}

/**
 * `zmart export systemd|compose|kubernetes [--out DIR] [--image IMAGE]`: the fleet as files for
 * another supervisor, and a list of what does not carry over.
 */
export async function exportFleet(options: { target: string; config?: string; out?: string; image?: string }, out: Output): Promise<number> {
  if (!(TARGETS as readonly string[]).includes(options.target)) {
    throw new ZmartError('ZMART_USAGE', `zmart export ${options.target}: unknown target${meant(options.target, TARGETS)} (known: ${TARGETS.join(', ')})`);
  }
  const target = options.target as Target;
  const config = await loadConfig({ configPath: options.config, builtins: builtinPlugins });
  const dir = resolve(options.out ?? join(config.root, 'zmart-export', target));
  const written = await render(target, deployedFleet(config), dir, options.image);
  mkdirSync(dir, { recursive: true });
  for (const file of written.files) {
    const path = join(dir, file.name);
    mkdirSync(dirname(path), { recursive: true }); // a drop-in folder (web@2.service.d/)
    const mode = file.secret ? 0o600 : 0o644;
    writeFileSync(path, file.content, { mode });
    chmodSync(path, mode);
  }
  out.line(`wrote ${written.files.length} file${written.files.length === 1 ? '' : 's'} to ${dir}:`);
  for (const file of written.files) out.line(`  ${file.name}${file.secret ? ' (owner-only: secret-looking environment)' : ''}`);
  for (const line of written.use) out.line(line);
  out.line('not carried:');
  for (const line of written.notCarried) out.line(`  - ${line}`);
  return 0;
}

async function render(target: Target, fleet: DeployedFleet, dir: string, image?: string): Promise<Written> {
  if (target === 'systemd') {
    if (image) throw new ZmartError('ZMART_USAGE', 'zmart export systemd: --image is for compose and kubernetes (systemd runs the commands on this machine)');
    const { systemdUnits } = await import('../export/systemd-units.js');
    const { files, notCarried } = systemdUnits(fleet, { modern: systemdVersion() >= 254 });
    return {
      files,
      notCarried,
      use: [
        'install: the .service and .target files in /etc/systemd/system, the .env files in /etc/zmart (0600), then',
        `  systemctl daemon-reload && systemctl enable --now ${files.at(-1)!.name}`,
      ],
    };
  }
  const yaml = (doc: unknown) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
  // a comment line: a control character in the folder's name or path would start a YAML line of its own
  const header = `${oneLine(`# zmart export ${target}: fleet ${fleet.name}, from ${fleet.source ?? 'a config built in code'}`)}\n`;
  if (target === 'compose') {
    const { composeFile } = await import('../export/compose-file.js');
    const result = composeFile(fleet, { image, outDir: dir });
    const build = Object.values(result.document.services ?? {}).some((s) => s.build);
    return {
      files: [{ name: 'docker-compose.yml', content: header + yaml(result.document), secret: result.secretDocument }, ...result.files],
      notCarried: result.notCarried,
      use: [
        ...(build ? [`build: services without an image are built from ${fleet.root} (a Dockerfile there that puts the fleet in /app)`] : []),
        `run: docker compose -f ${join(dir, 'docker-compose.yml')} up -d`,
      ],
    };
  }
  const { kubernetesManifests } = await import('../export/kubernetes-manifests.js');
  const result = kubernetesManifests(fleet, { image });
  const secrets = result.document.filter((o) => o.kind === 'Secret');
  const rest = result.document.filter((o) => o.kind !== 'Secret');
  const stream = (objects: unknown[]) => header + objects.map(yaml).join('---\n');
  return {
    files: [
      { name: `${slug(fleet.name)}.yaml`, content: stream(rest) },
      ...(secrets.length > 0 ? [{ name: 'secrets.yaml', content: stream(secrets), secret: true }] : []),
    ],
    notCarried: result.notCarried,
    use: [`apply: kubectl apply -f ${dir}`],
  };
}
