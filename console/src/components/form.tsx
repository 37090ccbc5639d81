/**
 * The form controls the create forms repeat, each a labelled Field around one control whose
 * value is a string: text input, textarea, select, and a row of radio buttons. Also
 * useDraft, a form's values in one state object with a setter per key.
 */
import { useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { Field } from './Field.js';

interface Labelled {
  label: string;
  error?: string;
  hint?: ReactNode;
  wide?: boolean;
}
interface Bound<V extends string = string> {
  value: V;
  onChange: (value: V) => void;
}

type InputRest = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>;

export function TextField({ label, error, hint, wide, value, onChange, ...rest }: Labelled & Bound & InputRest) {
  return (
    <Field label={label} error={error} hint={hint} wide={wide}>
      <input value={value} onChange={(e) => onChange(e.target.value)} {...rest} />
    </Field>
  );
}

export function TextAreaField({ label, error, hint, wide, value, onChange, rows = 2 }: Labelled & Bound & { rows?: number }) {
  return (
    <Field label={label} error={error} hint={hint} wide={wide}>
      <textarea rows={rows} value={value} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
}

export interface Option {
  value: string;
  label?: ReactNode;
}

/** `empty`, when given, is the first option, with the value "" (nothing chosen yet). */
export function SelectField<V extends string>({
  label,
  error,
  hint,
  wide,
  value,
  onChange,
  options,
  empty,
  required,
}: Labelled & Bound<V> & { options: Option[]; empty?: string; required?: boolean }) {
  return (
    <Field label={label} error={error} hint={hint} wide={wide}>
      <select value={value} onChange={(e) => onChange(e.target.value as V)} required={required}>
        {empty !== undefined && <option value="">{empty}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label ?? o.value}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** One radio per option, in the wide row the forms put a choice of kind in. */
export function RadioRow<V extends string>({
  label,
  name,
  value,
  onChange,
  options,
}: Bound<V> & { label: string; name: string; options: ReadonlyArray<readonly [V, string]> }) {
  return (
    <div className="radios wide" role="radiogroup" aria-label={label}>
      {options.map(([v, text]) => (
        <label key={v}>
          <input type="radio" name={name} checked={value === v} onChange={() => onChange(v)} /> {text}
        </label>
      ))}
    </div>
  );
}

/** A form's values in one object; bind(key) gives the onChange for that key. */
export function useDraft<D extends object>(initial: D | (() => D)) {
  const [draft, setDraft] = useState<D>(initial);
  const bind =
    <K extends keyof D>(key: K) =>
    (value: D[K]) =>
      setDraft((d) => ({ ...d, [key]: value }));
  return { draft, setDraft, bind };
}
