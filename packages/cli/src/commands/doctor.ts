import { KaggCommand } from '@kagg/core/command';
import { kaggPaths, loadSettings } from '@kagg/core/config';
import { type DoctorReport, runDoctor } from '@kagg/core/doctor';

export default class Doctor extends KaggCommand<DoctorReport> {
  static override summary = 'Check this machine: Node, python3, plugins and their credentials, the registry.';
  static override description =
    '✓ fine, ! a gap that stops only some commands (exit 0), ✗ broken (exit 1). Credentials are reported by where they were found, never by value.';
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json'];

  async run(): Promise<DoctorReport> {
    await this.parse(Doctor);
    const paths = kaggPaths();
    // Targets' checks get their settings; a broken settings file must not stop the doctor.
    const settings = await loadSettings(paths.configFile).catch(() => undefined);
    const report = await runDoctor({ config: this.config, paths, ...(settings ? { settings } : {}) });
    for (const check of report.checks)
      this.out(`${check.ok ? (check.warning ? '!' : '✓') : '✗'} ${check.name}: ${check.detail}`);
    if (!report.ok) process.exitCode = 1;
    return report;
  }
}
