/**
 * Import name → PyPI distribution, curated (reference: preprocess.md §4.5). Each line is
 * `import-name distribution [alternative ...]`: the first distribution is what kagg writes; an
 * alternative the notebook already installs (opencv-python-headless for cv2, faiss-gpu for faiss) is accepted
 * in its place. Names compare after PEP 503 normalisation. Namespace packages (google.cloud.*, azure.*)
 * resolve on their full dotted name.
 */

const TABLE = `
sklearn scikit-learn
skimage scikit-image
cv2 opencv-python opencv-python-headless opencv-contrib-python opencv-contrib-python-headless
PIL Pillow pillow-simd
yaml PyYAML
bs4 beautifulsoup4
dateutil python-dateutil
dotenv python-dotenv
attr attrs
attrs attrs
umap umap-learn
faiss faiss-cpu faiss-gpu faiss-gpu-cu12
fitz PyMuPDF
pymupdf PyMuPDF
docx python-docx
pptx python-pptx
pkg_resources setuptools
setuptools setuptools
googleapiclient google-api-python-client
google_auth_oauthlib google-auth-oauthlib
google_auth_httplib2 google-auth-httplib2
google.auth google-auth
google.oauth2 google-auth
google.generativeai google-generativeai
google.genai google-genai
google.protobuf protobuf
google.api_core google-api-core
google.cloud.secretmanager google-cloud-secret-manager
google.cloud.sql google-cloud-sql-connector cloud-sql-python-connector
google.cloud.bigquery_storage google-cloud-bigquery-storage
google.ai.generativelanguage google-ai-generativelanguage
huggingface_hub huggingface-hub
slack_sdk slack-sdk
slack slackclient
numpy numpy
pandas pandas
scipy scipy
matplotlib matplotlib
mpl_toolkits matplotlib
seaborn seaborn
plotly plotly
bokeh bokeh
altair altair
statsmodels statsmodels
sympy sympy
networkx networkx
numba numba
Cython Cython
pyarrow pyarrow
polars polars
dask dask
distributed distributed
xarray xarray
h5py h5py
tables tables
netCDF4 netCDF4
openpyxl openpyxl
xlrd xlrd
xlsxwriter XlsxWriter
xlwt xlwt
pyxlsb pyxlsb
odf odfpy
tabulate tabulate
tqdm tqdm
joblib joblib
cloudpickle cloudpickle
dill dill
msgpack msgpack
orjson orjson
ujson ujson
simplejson simplejson
rapidjson python-rapidjson
ruamel ruamel.yaml
toml toml
tomli tomli
tomli_w tomli-w
pytz pytz
tzdata tzdata
tzlocal tzlocal
arrow arrow
pendulum pendulum
pydantic pydantic
pydantic_settings pydantic-settings
marshmallow marshmallow
jsonschema jsonschema
typing_extensions typing-extensions
six six
packaging packaging
wheel wheel
xgboost xgboost
lightgbm lightgbm
catboost catboost
torch torch
torchvision torchvision
torchaudio torchaudio
torchtext torchtext
torchmetrics torchmetrics
torch_geometric torch-geometric
pytorch_lightning pytorch-lightning
lightning lightning
timm timm
transformers transformers
tokenizers tokenizers
datasets datasets
evaluate evaluate
accelerate accelerate
peft peft
trl trl
bitsandbytes bitsandbytes
sentence_transformers sentence-transformers
sentencepiece sentencepiece
safetensors safetensors
diffusers diffusers
optimum optimum
onnx onnx
onnxruntime onnxruntime onnxruntime-gpu
tensorflow tensorflow tensorflow-cpu tensorflow-gpu tensorflow-macos
tf_keras tf-keras
keras keras
tensorflow_hub tensorflow-hub
tensorflow_datasets tensorflow-datasets
tensorflow_addons tensorflow-addons
tensorflow_probability tensorflow-probability
tensorflow_text tensorflow-text
tflite_runtime tflite-runtime
jax jax
jaxlib jaxlib
flax flax
optax optax
haiku dm-haiku
equinox equinox
mxnet mxnet
paddle paddlepaddle paddlepaddle-gpu
gensim gensim
nltk nltk
spacy spacy
textblob textblob
langdetect langdetect
fasttext fasttext fasttext-wheel
emoji emoji
unidecode Unidecode
ftfy ftfy
regex regex
rapidfuzz rapidfuzz
fuzzywuzzy fuzzywuzzy
thefuzz thefuzz
Levenshtein Levenshtein python-Levenshtein
jellyfish jellyfish
wordcloud wordcloud
pyLDAvis pyLDAvis
hdbscan hdbscan
annoy annoy
hnswlib hnswlib
imblearn imbalanced-learn
category_encoders category-encoders
optuna optuna
hyperopt hyperopt
skopt scikit-optimize
shap shap
lime lime
eli5 eli5
mlxtend mlxtend
yellowbrick yellowbrick
pycaret pycaret
autogluon autogluon
h2o h2o
tpot TPOT
sktime sktime
prophet prophet
fbprophet fbprophet
pmdarima pmdarima
arch arch
tsfresh tsfresh
darts darts
neuralprophet neuralprophet
lifelines lifelines
pymc pymc
pymc3 pymc3
arviz arviz
pystan pystan
stan pystan
cmdstanpy cmdstanpy
emcee emcee
pyro pyro-ppl
numpyro numpyro
gpytorch gpytorch
botorch botorch
mlflow mlflow
wandb wandb
neptune neptune
comet_ml comet-ml
clearml clearml
tensorboard tensorboard
tensorboardX tensorboardX
albumentations albumentations
imgaug imgaug
imageio imageio
tifffile tifffile
pydicom pydicom
nibabel nibabel
SimpleITK SimpleITK
skvideo scikit-video
moviepy moviepy
av av
librosa librosa
soundfile soundfile
pydub pydub
audiomentations audiomentations
ultralytics ultralytics
yolov5 yolov5
mmcv mmcv
segmentation_models_pytorch segmentation-models-pytorch
efficientnet_pytorch efficientnet-pytorch
pretrainedmodels pretrainedmodels
fastai fastai
fastcore fastcore
kornia kornia
einops einops
xformers xformers
deepspeed deepspeed
open_clip open-clip-torch
whisper openai-whisper
tiktoken tiktoken
openai openai
anthropic anthropic
cohere cohere
groq groq
mistralai mistralai
langchain langchain
langchain_core langchain-core
langchain_community langchain-community
langchain_openai langchain-openai
langchain_anthropic langchain-anthropic
langchain_google_genai langchain-google-genai
langchain_huggingface langchain-huggingface
langchain_text_splitters langchain-text-splitters
langgraph langgraph
llama_index llama-index
chromadb chromadb
pinecone pinecone pinecone-client
weaviate weaviate-client
qdrant_client qdrant-client
pymilvus pymilvus
gradio gradio
streamlit streamlit
dash dash
panel panel
ipywidgets ipywidgets
IPython ipython
vllm vllm
llama_cpp llama-cpp-python
ollama ollama
litellm litellm
instructor instructor
dspy dspy
replicate replicate
together together
requests requests
urllib3 urllib3
httpx httpx
aiohttp aiohttp
lxml lxml
html5lib html5lib
selenium selenium
scrapy Scrapy
playwright playwright
flask Flask
flask_cors flask-cors
fastapi fastapi
uvicorn uvicorn
starlette starlette
django Django
werkzeug Werkzeug
jinja2 Jinja2
markupsafe MarkupSafe
gunicorn gunicorn
websockets websockets
websocket websocket-client
socketio python-socketio
grpc grpcio
zmq pyzmq
tornado tornado
boto3 boto3
botocore botocore
s3fs s3fs
gcsfs gcsfs
fsspec fsspec
adlfs adlfs
gspread gspread
oauth2client oauth2client
pydrive PyDrive
pydrive2 PyDrive2
kaggle kaggle
kagglehub kagglehub
kaggle_environments kaggle-environments
paramiko paramiko
fabric fabric
docker docker
kubernetes kubernetes
sqlalchemy SQLAlchemy
psycopg2 psycopg2-binary psycopg2
psycopg psycopg psycopg-binary
pymysql PyMySQL
MySQLdb mysqlclient
mysql mysql-connector-python
pymongo pymongo
bson pymongo
motor motor
redis redis
elasticsearch elasticsearch
cassandra cassandra-driver
snowflake snowflake-connector-python
snowflake.connector snowflake-connector-python
snowflake.snowpark snowflake-snowpark-python
databricks.sql databricks-sql-connector
databricks.sdk databricks-sdk
duckdb duckdb
pyodbc pyodbc
cx_Oracle cx-Oracle
oracledb oracledb
sqlite_utils sqlite-utils
pyspark pyspark
findspark findspark
pyhive PyHive
clickhouse_driver clickhouse-driver
neo4j neo4j
peewee peewee
pandasql pandasql
pandas_gbq pandas-gbq
db_dtypes db-dtypes
folium folium
geopandas geopandas
shapely shapely
fiona fiona
pyproj pyproj
rasterio rasterio
osgeo GDAL
geopy geopy
geojson geojson
h3 h3
haversine haversine
pydeck pydeck
keplergl keplergl
cartopy Cartopy
graphviz graphviz
pydot pydot
pygraphviz pygraphviz
missingno missingno
ydata_profiling ydata-profiling
pandas_profiling pandas-profiling
sweetviz sweetviz
termcolor termcolor
colorama colorama
rich rich
click click
typer typer
fire fire
Crypto pycryptodome
Cryptodome pycryptodomex
cryptography cryptography
nacl PyNaCl
jwt PyJWT
jose python-jose
bcrypt bcrypt
passlib passlib
OpenSSL pyOpenSSL
certifi certifi
chardet chardet
charset_normalizer charset-normalizer
idna idna
magic python-magic
PyPDF2 PyPDF2
pypdf pypdf
pdfplumber pdfplumber
pdfminer pdfminer.six
reportlab reportlab
markdown Markdown
mistune mistune
nbformat nbformat
nbconvert nbconvert
ipykernel ipykernel
psutil psutil
GPUtil GPUtil
pynvml nvidia-ml-py pynvml
memory_profiler memory-profiler
line_profiler line-profiler
schedule schedule
apscheduler APScheduler
celery celery
kafka kafka-python
confluent_kafka confluent-kafka
pika pika
paho paho-mqtt
serial pyserial
usb pyusb
git GitPython
github PyGithub
gitlab python-gitlab
telegram python-telegram-bot
discord discord.py
tweepy tweepy
praw praw
facebook facebook-sdk
twilio twilio
sendgrid sendgrid
stripe stripe
yfinance yfinance
pandas_datareader pandas-datareader
ta ta
talib TA-Lib
ccxt ccxt
alpaca_trade_api alpaca-trade-api
quandl Quandl
wikipedia wikipedia
newspaper newspaper3k
googletrans googletrans
deep_translator deep-translator
gtts gTTS
speech_recognition SpeechRecognition
pyttsx3 pyttsx3
pytesseract pytesseract
easyocr easyocr
qrcode qrcode
barcode python-barcode
faker Faker
loguru loguru
structlog structlog
sentry_sdk sentry-sdk
prometheus_client prometheus-client
hydra hydra-core
omegaconf omegaconf
gin gin-config
absl absl-py
ml_collections ml-collections
pytest pytest
hypothesis hypothesis
mock mock
sh sh
pexpect pexpect
tenacity tenacity
backoff backoff
retrying retrying
cachetools cachetools
diskcache diskcache
filelock filelock
portalocker portalocker
watchdog watchdog
pathspec pathspec
more_itertools more-itertools
toolz toolz
cytoolz cytoolz
funcy funcy
boltons boltons
sortedcontainers sortedcontainers
bidict bidict
xxhash xxhash
mmh3 mmh3
lz4 lz4
zstandard zstandard
brotli Brotli
snappy python-snappy
py7zr py7zr
rarfile rarfile
patoolib patool
gdown gdown
wget wget
tldextract tldextract
validators validators
email_validator email-validator
phonenumbers phonenumbers
pycountry pycountry
babel Babel
holidays holidays
tabula tabula-py
camelot camelot-py
xmltodict xmltodict
jsonpath_ng jsonpath-ng
jmespath jmespath
pyparsing pyparsing
ply ply
lark lark
antlr4 antlr4-python3-runtime
docopt docopt
configargparse ConfigArgParse
environs environs
decouple python-decouple
numexpr numexpr
bottleneck Bottleneck
pywt PyWavelets
cvxpy cvxpy
pulp PuLP
ortools ortools
gurobipy gurobipy
pyomo Pyomo
simpy simpy
mesa mesa
gym gym
gymnasium gymnasium
stable_baselines3 stable-baselines3
pettingzoo pettingzoo
pygame pygame
pyglet pyglet
PyQt5 PyQt5
wx wxPython
kivy Kivy
Bio biopython
rdkit rdkit
astropy astropy
pysam pysam
scanpy scanpy
anndata anndata
mne mne
obspy obspy
pint Pint
uncertainties uncertainties
cupy cupy-cuda12x cupy cupy-cuda11x
cudf cudf-cu12
cuml cuml-cu12
pywin32 pywin32
win32api pywin32
javalang javalang
jpype JPype1
tabpfn tabpfn
polyglot polyglot
pyvis pyvis
kaleido kaleido
plotnine plotnine
ggplot ggplot
pygments Pygments
docutils docutils
sphinx Sphinx
feedparser feedparser
httplib2 httplib2
oauthlib oauthlib
requests_oauthlib requests-oauthlib
msal msal
`;

/** Runtime-only modules: provided by Kaggle or Colab, never installed from PyPI. */
export const RUNTIME_ONLY: readonly string[] = [
  'kaggle_secrets',
  'kaggle_datasets',
  'kaggle_web_client',
  'kaggle_gcp',
  'learntools',
  'google.colab',
];

/** Modules that only matter inside a notebook front end: kept as optional, never required. */
export const NOTEBOOK_ONLY: readonly string[] = ['IPython', 'ipywidgets', 'google.colab'];

export interface DistributionEntry {
  distribution: string;
  alternatives: string[];
}

export function normalizeDistribution(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const entries = new Map<string, DistributionEntry>();
for (const line of TABLE.split('\n')) {
  const words = line.trim().split(/\s+/);
  if (words.length < 2) continue;
  const [name, distribution, ...rest] = words as [string, string, ...string[]];
  entries.set(name, { distribution, alternatives: [distribution, ...rest] });
}

/** How many import names the table knows. */
export const DISTRIBUTION_TABLE_SIZE = entries.size;

/** Namespace packages whose distribution follows the dotted name. */
function namespaceDistribution(dotted: string[]): DistributionEntry | undefined {
  if (dotted[0] === 'google' && dotted[1] === 'cloud' && dotted[2]) {
    const name = `google-cloud-${dotted[2].replace(/_/g, '-')}`;
    return { distribution: name, alternatives: [name] };
  }
  if (dotted[0] === 'azure' && dotted[1]) {
    const depth = ['storage', 'keyvault', 'ai', 'mgmt', 'monitor', 'search', 'communication', 'eventhub'].includes(
      dotted[1],
    )
      ? 3
      : 2;
    const parts = dotted.slice(0, depth);
    if (parts.length < depth && depth === 3) return undefined;
    const name = parts.join('-').replace(/_/g, '-');
    return { distribution: name, alternatives: [name] };
  }
  return undefined;
}

/**
 * The distribution for an import's dotted name (`sklearn.model_selection`, `google.cloud.bigquery`):
 * the longest prefix the table knows, then namespace rules. Undefined when nothing is known.
 */
export function distributionFor(dotted: string[]): DistributionEntry | undefined {
  for (let k = dotted.length; k >= 1; k--) {
    const entry = entries.get(dotted.slice(0, k).join('.'));
    if (entry) return entry;
  }
  return namespaceDistribution(dotted);
}

/** Namespace roots whose bare import says nothing about the distribution. */
export const NAMESPACE_ROOTS: readonly string[] = ['google', 'google.cloud', 'azure'];
