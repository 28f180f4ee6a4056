import { Type } from 'typebox';

/**
 * The request and response pieces every module's routes share: the error envelope every error
 * answers with (src/app.ts's error handler writes it), an id in the path, and the languages
 * Candor speaks. A module's own schemas live in the module.
 */
export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid });
export const LocaleSchema = Type.Union([Type.Literal('en'), Type.Literal('cs'), Type.Literal('ar')]);

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      requestId: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
    }),
  },
  {
    title: 'ErrorBody',
    description: "What every error answers: a code, its message in the request's language, the request id.",
  },
);
