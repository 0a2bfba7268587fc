import type { EngineDriver, EngineName } from './driver';
import { launchPuppeteer } from './puppeteer-driver';
import { launchWebKit } from './webdriver-driver';
import { WEBKIT_DRIVER_PORT } from './servers';

export function launchEngine(engine: EngineName): Promise<EngineDriver> {
	return engine === 'webkit' ? launchWebKit(WEBKIT_DRIVER_PORT) : launchPuppeteer(engine);
}
