/**
 * Loading MuJoCo: the optional npm package `mujoco-js` (MuJoCo 3.3.8 compiled to
 * WebAssembly, Apache-2.0), imported only when a MuJoCo task is asked for, and the model
 * files shipped in ./assets (Gymnasium's MIT-licensed XMLs; see ./assets/NOTICE).
 *
 * The package is imported dynamically through a *loader seam* ({@link setMujocoLoader}) so
 * that tests can simulate its absence. When it cannot be loaded, the error is
 * `ENV_MUJOCO_UNAVAILABLE` with the install command; a model file that cannot be found or
 * compiled is `ENV_MUJOCO_MODEL`.
 *
 * Only the few members pgtruth uses are typed here (the package's own types are not
 * referenced, so pgtruth compiles without it).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, show } from '../../errors.js';

/** The members of a compiled MuJoCo model that pgtruth reads. */
export interface MjModelHandle {
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  readonly opt: { readonly timestep: number };
  readonly qpos0: Float64Array;
  readonly actuator_ctrlrange: Float64Array;
  delete(): void;
}

/** The members of MuJoCo's simulation state that pgtruth reads and writes (views into the WebAssembly heap). */
export interface MjDataHandle {
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly ctrl: Float64Array;
  delete(): void;
}

/** The members of the `mujoco-js` module that pgtruth uses. */
export interface MujocoModule {
  readonly FS: {
    mkdir(path: string): void;
    writeFile(path: string, data: string): void;
  };
  readonly MjModel: { loadFromXML(path: string): MjModelHandle };
  readonly MjData: new (model: MjModelHandle) => MjDataHandle;
  mj_step(model: MjModelHandle, data: MjDataHandle): void;
  mj_forward(model: MjModelHandle, data: MjDataHandle): void;
  mj_resetData(model: MjModelHandle, data: MjDataHandle): void;
}

/** A function that imports and instantiates MuJoCo. */
export type MujocoLoader = () => Promise<unknown>;

const PACKAGE = 'mujoco-js';

/** The default loader: `import('mujoco-js')` and call its default export (the module factory). */
export const defaultMujocoLoader: MujocoLoader = async () => {
  const name: string = PACKAGE; // a variable, so the compiler does not resolve the optional package
  const mod = (await import(name)) as { default?: unknown };
  if (typeof mod.default !== 'function') throw new Error(`${PACKAGE} has no default export factory`);
  return (mod.default as () => Promise<unknown>)();
};

let loader: MujocoLoader = defaultMujocoLoader;
let instance: Promise<MujocoModule> | undefined;
const compiled = new Map<string, MjModelHandle>();

/** Replaces the loader (a test seam); `undefined` restores the default. Drops the loaded instance. */
export function setMujocoLoader(l: MujocoLoader | undefined): void {
  loader = l ?? defaultMujocoLoader;
  instance = undefined;
  compiled.clear();
}

function checkModule(m: unknown): MujocoModule {
  const x = m as Partial<MujocoModule> | null;
  if (x === null || typeof x !== 'object' || typeof x.mj_step !== 'function' || typeof x.MjData !== 'function'
    || typeof x.MjModel?.loadFromXML !== 'function' || typeof x.FS?.writeFile !== 'function') {
    throw new Error('the loaded module lacks MjModel.loadFromXML, MjData, mj_step or FS');
  }
  return x as MujocoModule;
}

/**
 * The MuJoCo module, loaded once per process. Throws `ENV_MUJOCO_UNAVAILABLE` (with the
 * install command) when `mujoco-js` cannot be imported or started.
 */
export function loadMujoco(): Promise<MujocoModule> {
  if (instance === undefined) {
    const current = loader;
    instance = (async () => {
      let m: unknown;
      try {
        m = checkModule(await current());
      } catch (e) {
        instance = undefined;
        fail('ENV_MUJOCO_UNAVAILABLE', `the MuJoCo tasks need the optional package ${PACKAGE} (MuJoCo 3 as WebAssembly), which could not be loaded: ${(e as Error)?.message ?? show(e)}. Install it with \`npm install ${PACKAGE}\`.`, { where: PACKAGE });
      }
      return m as MujocoModule;
    })();
  }
  return instance;
}

/**
 * The folders searched for model files: ./assets beside this module (running from src/ under
 * tsx), then the sources' copy seen from the compiled module dist/src/env/mujoco/loader.js
 * (four levels up is the package root; `src/env/mujoco/assets` is in the package's files).
 * `moduleUrl` is this module's URL (a parameter for tests).
 */
export function assetFolders(moduleUrl: string = import.meta.url): string[] {
  const here = dirname(fileURLToPath(moduleUrl));
  return [join(here, 'assets'), join(here, '..', '..', '..', '..', 'src', 'env', 'mujoco', 'assets')];
}

/** The text of the shipped model file `file` (e.g. `hopper.xml`); `ENV_MUJOCO_MODEL` when absent. */
export function readModelXML(file: string): string {
  for (const dir of assetFolders()) {
    const p = join(dir, file);
    if (existsSync(p)) return readFileSync(p, 'utf8');
  }
  return fail('ENV_MUJOCO_MODEL', `the MuJoCo model file ${show(file)} was not found in ${assetFolders().join(' or ')}`, { where: file });
}

/**
 * The compiled model of the shipped file `file`, compiled once per loaded MuJoCo instance
 * (its copies share it; each copy has its own `MjData`). `ENV_MUJOCO_MODEL` when MuJoCo
 * rejects the file.
 */
export function compileModel(mj: MujocoModule, file: string, xml: string = readModelXML(file)): MjModelHandle {
  const key = `${file}\u0000${xml.length}`;
  const hit = compiled.get(key);
  if (hit !== undefined) return hit;
  const dir = '/pgtruth-models';
  try { mj.FS.mkdir(dir); } catch { /* exists */ }
  const path = `${dir}/${compiled.size}-${file}`;
  let model: MjModelHandle | undefined;
  try {
    mj.FS.writeFile(path, xml);
    model = mj.MjModel.loadFromXML(path);
  } catch (e) {
    fail('ENV_MUJOCO_MODEL', `MuJoCo could not compile ${show(file)}: ${(e as Error)?.message ?? show(e)}`, { where: file });
  }
  if (!model) fail('ENV_MUJOCO_MODEL', `MuJoCo could not compile ${show(file)}`, { where: file });
  compiled.set(key, model);
  return model;
}
