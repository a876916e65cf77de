import { basename, extname } from 'node:path';
import { ImportError, type ImportFormat } from './imported.js';

/**
 * Which program a file is for, from its name first (what each program's users call it), then
 * from its content; one line when neither tells.
 */
export function detectFormat(file: string, text: string): ImportFormat {
  const name = basename(file).toLowerCase();
  const ext = extname(name);
  if (/^ecosystem\b.*\.(c?js|mjs|json)$/.test(name) || (['.js', '.cjs', '.mjs'].includes(ext) && /\bapps\s*:/.test(text))) return 'pm2';
  if (name.startsWith('procfile')) return 'procfile';
  if (/compose\b.*\.ya?ml$/.test(name)) return 'compose';
  if (/^\s*\[program:[^\]]+\]/m.test(text)) return 'supervisord';
  if ((ext === '.yml' || ext === '.yaml') && /^services\s*:/m.test(text)) return 'compose';
  if (ext === '.json' && /"apps"\s*:/.test(text)) return 'pm2';
  throw new ImportError(
    `${file}: cannot tell what it is from its name or content (zmart imports a PM2 ecosystem.config.js|cjs|json, a supervisord.conf with [program:x] sections, a Procfile, or a Compose file)`,
  );
}
