// One number of the settings form: label, text input (so '1e-3' and half-typed values are kept),
// and either its hint or what is wrong with the value.

import { useTrainStore, type NumberField } from '../store/train';
import { FIELD_TEXT } from './TrainFieldText';

export function TrainNumberField({ field, error }: { field: NumberField; error?: string }) {
  const value = useTrainStore((s) => s.form.numbers[field]);
  const setNumber = useTrainStore((s) => s.setNumber);
  const { label, hint } = FIELD_TEXT[field];
  const id = `train-${field}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-note`}
        onChange={(e) => setNumber(field, e.target.value)}
      />
      <span id={`${id}-note`} className={error ? 'error note' : 'hint note'}>
        {error ?? hint}
      </span>
    </div>
  );
}
