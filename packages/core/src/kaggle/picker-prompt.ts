/**
 * The searchable kernel list, an @inquirer/core prompt (the library oclif's own generators use).
 * Loaded only by `pickKernel` when a terminal is there to show it.
 */
import {
  createPrompt,
  isDownKey,
  isEnterKey,
  isTabKey,
  isUpKey,
  makeTheme,
  useEffect,
  useKeypress,
  usePagination,
  usePrefix,
  useRef,
  useState,
} from '@inquirer/core';
import { messageOf } from '../errors/index.js';
import { PICKER_LISTS, type PickerListId, type PickerPage, pickerRow } from './picker-model.js';
import type { KernelInfo } from './types.js';

export interface KernelSource {
  load(list: PickerListId, search: string, page: number): Promise<PickerPage>;
  /** The status of a kernel's latest run (asked for your kernels only). */
  status(ref: string): Promise<string>;
}

/** Rows left below the cursor when the next page is asked for. */
const PREFETCH = 3;
const VISIBLE = 10;

const prompt = createPrompt<string | null, { source: KernelSource }>(({ source }, done) => {
  const theme = makeTheme({});
  const [listIndex, setListIndex] = useState(0);
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [kernels, setKernels] = useState<KernelInfo[]>([]);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>(undefined);
  const [active, setActive] = useState(0);
  const [statuses, setStatuses] = useState<Record<string, string>>({});
  const [finished, setFinished] = useState<string | undefined>(undefined);
  // Statuses stay true whatever the list shows next; they only stop once the prompt is answered.
  const open = useRef(true);
  const list = PICKER_LISTS[listIndex] ?? PICKER_LISTS[0];
  const prefix = usePrefix({ status: finished ? 'done' : loading ? 'loading' : 'idle', theme });

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    source.load(list.id, search, page).then(
      (result) => {
        if (!current) return;
        setKernels((before) => (page === 1 ? result.kernels : [...before, ...result.kernels]));
        setMore(result.more);
        setLoading(false);
        if (list.id !== 'mine') return;
        for (const k of result.kernels) {
          if (statuses[k.ref]) continue;
          void source.status(k.ref).then((s) => {
            if (open.current) setStatuses((before) => ({ ...before, [k.ref]: s }));
          });
        }
      },
      (e: unknown) => {
        if (!current) return;
        setError(messageOf(e));
        setMore(false);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [list.id, search, page]);

  useKeypress((key, rl) => {
    if (isEnterKey(key)) {
      const picked = kernels[active];
      if (!picked) return;
      open.current = false;
      setFinished(picked.ref);
      done(picked.ref);
    } else if (key.name === 'escape') {
      open.current = false;
      done(null);
    } else if (isTabKey(key)) {
      rl.clearLine(0);
      rl.write(search);
      setListIndex((listIndex + (key.shift ? PICKER_LISTS.length - 1 : 1)) % PICKER_LISTS.length);
      setPage(1);
      setKernels([]);
      setActive(0);
    } else if (isUpKey(key, []) || isDownKey(key, [])) {
      if (kernels.length === 0) return;
      const next = Math.max(0, Math.min(kernels.length - 1, active + (isUpKey(key, []) ? -1 : 1)));
      setActive(next);
      if (more && !loading && next >= kernels.length - PREFETCH) setPage(page + 1);
    } else if (rl.line !== search) {
      setSearch(rl.line);
      setPage(1);
      setKernels([]);
      setActive(0);
    }
  });

  const message = theme.style.message('Pick a kernel', finished ? 'done' : 'idle');
  if (finished) return `${prefix} ${message} ${theme.style.answer(finished)}`;
  const tabs = PICKER_LISTS.map((l) => (l.id === list.id ? theme.style.highlight(`[${l.label}]`) : l.label)).join('  ');
  const columns = Math.max(60, (process.stdout.columns || 100) - 2);
  const body = usePagination({
    items: kernels,
    active,
    pageSize: VISIBLE,
    loop: false,
    renderItem: ({ item, isActive }) => {
      const row = pickerRow(item, list.id === 'mine' ? (statuses[item.ref] ?? '…') : undefined, columns);
      return isActive ? theme.style.highlight(`❯ ${row}`) : `  ${row}`;
    },
  });
  const state = error
    ? theme.style.error(`Kaggle did not answer the list: ${error}`)
    : loading
      ? 'Loading kernels…'
      : kernels.length === 0
        ? search
          ? `No kernel matches "${search}".`
          : 'No kernels here.'
        : more
          ? '↓ more below'
          : '';
  const help = theme.style.help('type to filter · ↑↓ move · Enter pick · Tab switch list · Esc cancel');
  return [
    `${prefix} ${message} ${search}`,
    [tabs, kernels.length > 0 ? body : '', state, help].filter(Boolean).join('\n'),
  ];
});

/** Shows the list; resolves with the picked ref, or null on Esc. Ctrl-C rejects (ExitPromptError). */
export async function kernelPrompt(
  source: KernelSource,
  streams: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } = {},
): Promise<string | null> {
  return prompt({ source }, { ...streams, clearPromptOnDone: false });
}
