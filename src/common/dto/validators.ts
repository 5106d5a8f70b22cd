import {
  buildMessage,
  registerDecorator,
  ValidateBy,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { DNS1123_LABEL_PATTERN, isDns1123Label } from '../../core/document/dns-names.js';
import { labelMapProblems } from '../../core/document/label-map.js';

export { DNS1123_LABEL_PATTERN, isDns1123Label };

/** A DNS-1123 label (cluster, namespace and policy names); problem code IS_DNS1123_LABEL. */
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

/**
 * A Kubernetes label map (the core's rules: valid keys and values, at most 64 entries);
 * problem code IS_LABEL_MAP, the message naming the first offending key or value.
 */
export function IsLabelMap(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isLabelMap',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => labelMapProblems(value, '').length === 0,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'labels'} ${labelMapProblems(args?.value, '')[0]?.message ?? 'is invalid'}`,
      },
    });
}
