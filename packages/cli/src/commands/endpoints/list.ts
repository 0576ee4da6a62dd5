import { KaggCommand } from '@kagg/core/command';
import { kaggPaths } from '@kagg/core/config';
import { type EndpointEntry, EndpointRegistry } from '@kagg/core/registry';

export default class EndpointsList extends KaggCommand<{ endpoints: EndpointEntry[] }> {
  static override summary = 'List deployed endpoints.';
  static override examples = ['<%= config.bin %> endpoints list', '<%= config.bin %> endpoints list --json'];

  async run(): Promise<{ endpoints: EndpointEntry[] }> {
    await this.parse(EndpointsList);
    const endpoints = await new EndpointRegistry(kaggPaths().registryFile).list();
    if (endpoints.length === 0) this.info('No endpoints yet: deploy one with `kagg deploy NOTEBOOK`.');
    else {
      // A deploy that did not finish: `kagg deploy` resumes it, `kagg destroy` removes what it made.
      const rows = endpoints.map((e) => [
        e.name,
        e.target,
        e.state === 'pending' ? '(pending: deploy did not finish)' : e.url,
        e.updatedAt.slice(0, 19).replace('T', ' '),
      ]);
      const header = ['NAME', 'TARGET', 'URL', 'UPDATED'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (cells: string[]) =>
        cells
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd();
      this.out(line(header));
      for (const r of rows) this.out(line(r));
    }
    return { endpoints };
  }
}
