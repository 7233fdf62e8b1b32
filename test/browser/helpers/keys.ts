/**
 * Real keyboard input through the test runner (Playwright), so focus order, Enter and Escape
 * behave as they do for a person.
 * @example await press('Tab'); await type('hello'); await press('Enter');
 */
import { sendKeys } from '@web/test-runner-commands';

export async function press(key: string): Promise<void> {
  await sendKeys({ press: key });
}

export async function type(text: string): Promise<void> {
  await sendKeys({ type: text });
}
