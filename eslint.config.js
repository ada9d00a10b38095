// Lint rules that keep the architecture honest, beside the usual TypeScript and Vue checks.
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Formatting is not what lint is for here.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/multi-word-component-names': 'off',
      // Rendering HTML from data is how secrets turn into XSS.
      'vue/no-v-html': 'error',
    },
  },
  {
    // shared/ runs in browsers and in Node alike: only what both provide.
    files: ['shared/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'vue', 'fastify', '@fastify/*'], message: 'shared/ must stay runtime-agnostic.' }] }],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'window', 'document', 'localStorage', 'require'],
    },
  },
  {
    // The key lives in the URL fragment and in memory; nothing in web/ may persist it.
    files: ['web/src/**/*.{ts,vue}'],
    rules: {
      'no-restricted-globals': ['error', { name: 'sessionStorage', message: 'Never persist link material.' }],
    },
  },
)
