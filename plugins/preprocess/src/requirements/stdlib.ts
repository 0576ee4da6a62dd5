/**
 * The standard library's top-level module names for each Python version kagg targets (3.9 to 3.14):
 * Python 3.11's `sys.stdlib_module_names` (frozen here), and what each other version added or removed
 * (PEP 594's dead batteries went in 3.13; distutils, imp, asynchat, asyncore and smtpd in 3.12).
 */

const PY311 =
  `__future__ _abc _aix_support _ast _asyncio _bisect _blake2 _bootsubprocess _bz2 _codecs _codecs_cn _codecs_hk
_codecs_iso2022 _codecs_jp _codecs_kr _codecs_tw _collections _collections_abc _compat_pickle _compression
_contextvars _crypt _csv _ctypes _curses _curses_panel _datetime _dbm _decimal _elementtree _frozen_importlib
_frozen_importlib_external _functools _gdbm _hashlib _heapq _imp _io _json _locale _lsprof _lzma _markupbase
_md5 _msi _multibytecodec _multiprocessing _opcode _operator _osx_support _overlapped _pickle _posixshmem
_posixsubprocess _py_abc _pydecimal _pyio _queue _random _scproxy _sha1 _sha256 _sha3 _sha512 _signal
_sitebuiltins _socket _sqlite3 _sre _ssl _stat _statistics _string _strptime _struct _symtable _thread
_threading_local _tkinter _tokenize _tracemalloc _typing _uuid _warnings _weakref _weakrefset _winapi
_zoneinfo abc aifc antigravity argparse array ast asynchat asyncio asyncore atexit audioop base64 bdb binascii
bisect builtins bz2 cProfile calendar cgi cgitb chunk cmath cmd code codecs codeop collections colorsys
compileall concurrent configparser contextlib contextvars copy copyreg crypt csv ctypes curses dataclasses
datetime dbm decimal difflib dis distutils doctest email encodings ensurepip enum errno faulthandler fcntl
filecmp fileinput fnmatch fractions ftplib functools gc genericpath getopt getpass gettext glob graphlib grp
gzip hashlib heapq hmac html http idlelib imaplib imghdr imp importlib inspect io ipaddress itertools json
keyword lib2to3 linecache locale logging lzma mailbox mailcap marshal math mimetypes mmap modulefinder msilib
msvcrt multiprocessing netrc nis nntplib nt ntpath nturl2path numbers opcode operator optparse os ossaudiodev
pathlib pdb pickle pickletools pipes pkgutil platform plistlib poplib posix posixpath pprint profile pstats
pty pwd py_compile pyclbr pydoc pydoc_data pyexpat queue quopri random re readline reprlib resource
rlcompleter runpy sched secrets select selectors shelve shlex shutil signal site smtpd smtplib sndhdr socket
socketserver spwd sqlite3 sre_compile sre_constants sre_parse ssl stat statistics string stringprep struct
subprocess sunau symtable sys sysconfig syslog tabnanny tarfile telnetlib tempfile termios textwrap this
threading time timeit tkinter token tokenize tomllib trace traceback tracemalloc tty turtle turtledemo types
typing unicodedata unittest urllib uu uuid venv warnings wave weakref webbrowser winreg winsound wsgiref
xdrlib xml xmlrpc zipapp zipfile zipimport zlib zoneinfo`.split(/\s+/);

interface Delta {
  add: string[];
  remove: string[];
}

/** Versions before 3.11: how each differs from 3.11. */
const OLDER: Record<string, Delta> = {
  '3.9': {
    add: ['binhex', 'formatter', 'parser', 'symbol', '_bootlocale', '_peg_parser'],
    remove: ['tomllib', '_tokenize', '_typing'],
  },
  '3.10': { add: ['binhex'], remove: ['tomllib', '_tokenize'] },
};

/** PEP 594: removed in Python 3.13. */
const DEAD_BATTERIES = [
  'aifc',
  'audioop',
  'cgi',
  'cgitb',
  'chunk',
  'crypt',
  'imghdr',
  'mailcap',
  'msilib',
  'nis',
  'nntplib',
  'ossaudiodev',
  'pipes',
  'sndhdr',
  'spwd',
  'sunau',
  'telnetlib',
  'uu',
  'xdrlib',
  'lib2to3',
];

/** Versions after 3.11, in order: how each differs from the one before it. */
const NEWER: Array<[string, Delta]> = [
  [
    '3.12',
    {
      add: ['_pydatetime', '_pylong', '_sha2', '_wmi'],
      remove: ['distutils', 'imp', 'asynchat', 'asyncore', 'smtpd', '_sha256', '_sha512'],
    },
  ],
  [
    '3.13',
    {
      add: [
        '_colorize',
        '_pyrepl',
        '_interpchannels',
        '_interpqueues',
        '_interpreters',
        '_suggestions',
        '_sysconfig',
        '_opcode_metadata',
        '_android_support',
        '_apple_support',
        '_ios_support',
      ],
      remove: [...DEAD_BATTERIES, '_crypt', '_msi'],
    },
  ],
  ['3.14', { add: ['annotationlib', 'compression', '_zstd', '_remote_debugging', '_hmac', '_types'], remove: [] }],
];

export const PYTHON_VERSIONS: readonly string[] = [...Object.keys(OLDER), '3.11', ...NEWER.map(([v]) => v)];
export const DEFAULT_PYTHON = '3.12';

function apply(names: Set<string>, delta: Delta): void {
  for (const name of delta.remove) names.delete(name);
  for (const name of delta.add) names.add(name);
}

const cache = new Map<string, ReadonlySet<string>>();

/** The top-level standard-library module names of one Python version (`3.9` ... `3.14`). */
export function stdlibModules(version: string = DEFAULT_PYTHON): ReadonlySet<string> {
  const cached = cache.get(version);
  if (cached) return cached;
  if (!PYTHON_VERSIONS.includes(version)) {
    throw new RangeError(`unknown Python version ${version} (known: ${PYTHON_VERSIONS.join(', ')})`);
  }
  const names = new Set(PY311);
  const older = OLDER[version];
  if (older) apply(names, older);
  for (const [newer, delta] of NEWER) {
    if (PYTHON_VERSIONS.indexOf(newer) > PYTHON_VERSIONS.indexOf(version)) break;
    apply(names, delta);
  }
  cache.set(version, names);
  return names;
}

/** Whether a top-level module is in the standard library of the given version. */
export function isStdlib(topLevel: string, version: string = DEFAULT_PYTHON): boolean {
  return stdlibModules(version).has(topLevel);
}

/** Versions (of 3.9 ... 3.14) whose standard library has this module. */
export function stdlibVersionsOf(topLevel: string): string[] {
  return PYTHON_VERSIONS.filter((version) => stdlibModules(version).has(topLevel));
}
