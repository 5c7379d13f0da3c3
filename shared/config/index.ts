export {
  CONFIG_KEYS,
  CONFIG_KEY_NAMES,
  isConfigKey,
  keySpec,
  type ConfigKey,
  type ConfigValue,
  type ConfigValueOf,
  type KeySpec,
} from './keys.ts';
export { Configuration, type ConfigSource } from './configuration.ts';
export { applyConfigFile, loadConfigFile, parseConfigText, readConfigFile, type ConfigFileEntry } from './config-file.ts';
export { formatDuration, formatMemorySize, MAX_DURATION_MS } from './values.ts';
export { suggestKey } from './key-suggestion.ts';
