import { ApiError, createApiClient } from './api-client.ts';
import { h, replace } from './dom.ts';
import { pageHeading } from './widgets.ts';

export interface KeyFormOptions {
  /** The page the key opens (its section's name). */
  heading: string;
  /** Why the form shows (a refused or forgotten key). */
  notice?: string | undefined;
  /** Called with a key the API accepted. */
  accepted(key: string): void;
}

/**
 * Asks for an API key and checks it against the API before keeping it: a
 * refused key (401) says so next to the field and leaves it ready for another.
 */
export function showKeyForm(main: HTMLElement, options: KeyFormOptions): void {
  const error = h('p', { id: 'api-key-error', class: 'field-error', role: 'alert' });
  const input = h('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'off',
    required: true,
    'aria-describedby': 'api-key-help api-key-error',
  });
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Continue');

  const refuse = (message: string) => {
    error.textContent = message;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    input.select();
  };

  const form = h(
    'form',
    {
      class: 'panel key-form',
      'aria-labelledby': 'key-form-title',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const key = input.value.trim();
        if (!key) return refuse('Enter an API key.');
        submit.disabled = true;
        submit.textContent = 'Checking…';
        error.textContent = '';
        try {
          await createApiClient(key).stats();
          options.accepted(key);
        } catch (failure) {
          if (failure instanceof ApiError && failure.status === 401) {
            refuse('That API key was not accepted (401): it is unknown, revoked or mistyped. Check it, or enter another key.');
          } else {
            refuse(failure instanceof ApiError ? failure.message : 'The key could not be checked. Try again.');
          }
        } finally {
          submit.disabled = false;
          submit.textContent = 'Continue';
        }
      },
    },
    h('h2', { id: 'key-form-title' }, 'Sign in with an API key'),
    options.notice ? h('p', { class: 'panel panel--notice', role: 'status' }, options.notice) : null,
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h(
      'p',
      { id: 'api-key-help', class: 'muted' },
      'A Reprise key starts with rpr_. It stays in this browser only (local storage) and is sent to this site’s API with each request. Make one with ',
      h('code', {}, 'npm run api-key -- create --project <project> --org <org>'),
      '.',
    ),
    error,
    submit,
  );
  replace(main, pageHeading(options.heading), form);
  document.title = `Sign in · ${options.heading} · Reprise`;
  input.focus();
}
