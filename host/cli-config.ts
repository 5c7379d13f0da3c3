/**
 * Configuration given on the command line (`sluice run -D key=value --config file`). The CLI
 * sets it before it loads the job file; every environment the job creates starts from it.
 */
import { Configuration } from '../shared/config/configuration.ts';

let fromCommandLine = new Configuration();

export function setCommandLineConfiguration(config: Configuration): void {
  fromCommandLine = config;
}

export function commandLineConfiguration(): Configuration {
  return fromCommandLine;
}
