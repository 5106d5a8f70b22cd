import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';

export const DNS1123_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS1123_LABEL = new RegExp(DNS1123_LABEL_PATTERN);

export function isDns1123Label(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 63 && DNS1123_LABEL.test(value);
}

/** A DNS-1123 label (cluster and namespace names); problem code IS_DNS1123_LABEL. */
export function IsDns1123Label(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      // The global pipe turns the name into the problem code: IS_DNS1123_LABEL.
      name: 'isDns1123_Label',
      validator: {
        validate: (value: unknown) => isDns1123Label(value),
        defaultMessage: buildMessage(
          (each) =>
            `${each}$property must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit`,
          options,
        ),
      },
    },
    options,
  );
}
