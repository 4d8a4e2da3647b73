/**
 * Environments in Gymnasium's shape: the interface (reset, step → terminated, truncated), the
 * time limit, vectorized copies with auto-reset, the tabular MDP as an environment, classic
 * control (CartPole-v1, Acrobot-v1, Pendulum-v1, MountainCarContinuous-v0) and the MuJoCo tasks
 * (HalfCheetah-v5, Hopper-v5) through the optional package `mujoco-js`.
 *
 * @module
 */
export * from './spaces.js';
export * from './env.js';
export * from './time-limit.js';
export * from './vector.js';
export * from './tabular.js';
export * from './cartpole.js';
export * from './acrobot.js';
export * from './pendulum.js';
export * from './mountain-car.js';
export * from './mujoco/loader.js';
export * from './mujoco/base.js';
export * from './mujoco/half-cheetah.js';
export * from './mujoco/hopper.js';
export * from './registry.js';
