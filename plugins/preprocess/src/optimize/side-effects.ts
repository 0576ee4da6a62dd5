/**
 * Which imports `--fix` may remove when unused: only modules known to do nothing on import that a
 * notebook could rely on. Everything else is kept and reported with the reason.
 */
import { isStdlib } from '../requirements/stdlib.js';

/** Modules whose import does something, with what it does (prefix match on the dotted name). */
const KNOWN_SIDE_EFFECTS: ReadonlyArray<[string, string]> = [
  ['__future__', 'a __future__ import changes how the cell is compiled'],
  ['__main__', 'importing __main__ can run the main module'],
  ['this', 'importing this prints the Zen of Python'],
  ['__hello__', 'importing __hello__ prints a greeting'],
  ['antigravity', 'importing antigravity opens a web browser'],
  ['readline', 'importing readline changes the interactive prompt'],
  ['rlcompleter', 'importing rlcompleter installs tab completion'],
  ['site', 'importing site changes sys.path'],
  ['sitecustomize', 'sitecustomize runs code on import'],
  ['usercustomize', 'usercustomize runs code on import'],
  ['encodings', 'importing an encodings module registers a codec'],
  ['sklearn.experimental', 'importing sklearn.experimental.enable_* makes experimental estimators importable'],
  ['seaborn', 'seaborn before 0.8 set the plot style on import'],
  ['torchvision', 'importing torchvision registers operators with torch'],
  ['tensorflow_addons', 'importing tensorflow_addons registers TensorFlow ops'],
  ['tensorflow_text', 'importing tensorflow_text registers TensorFlow ops'],
  ['hvplot', 'importing hvplot.pandas adds the .hvplot accessor to DataFrames'],
  ['pandas_profiling', 'importing pandas_profiling adds DataFrame.profile_report'],
  ['ydata_profiling', 'importing ydata_profiling adds DataFrame.profile_report'],
  ['swifter', 'importing swifter adds the .swifter accessor to DataFrames'],
  ['cudf.pandas', 'importing cudf.pandas swaps pandas for a GPU proxy'],
  ['geopandas', 'importing geopandas registers a pandas extension type'],
  ['pint_pandas', 'importing pint_pandas registers a pandas extension type'],
];

/** Third-party packages whose import only defines things (their submodules too). */
const NO_SIDE_EFFECTS = new Set(
  `numpy pandas scipy sklearn matplotlib statsmodels sympy networkx PIL cv2 requests yaml tqdm joblib xgboost
  lightgbm catboost plotly bs4 h5py pyarrow polars skimage torch optuna shap`.split(/\s+/),
);

const matches = (module: string, prefix: string): boolean => module === prefix || module.startsWith(`${prefix}.`);

/**
 * Why removing an unused import of `module` might change what the notebook does; undefined when it
 * cannot (a module known to have no import side effects).
 */
export function importSideEffect(module: string, python: string): string | undefined {
  const known = KNOWN_SIDE_EFFECTS.find(([prefix]) => matches(module, prefix));
  if (known) return known[1];
  const top = module.split('.')[0]!;
  if (isStdlib(top, python) || NO_SIDE_EFFECTS.has(top)) return undefined;
  return `${module} is not known to be free of import side effects (remove it by hand if it has none)`;
}
